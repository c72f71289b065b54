"""The results layer: read judgments and turn them into tables (``show``) and reports."""
