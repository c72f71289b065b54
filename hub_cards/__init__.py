"""Dataset card templates for the Hub repos this project builds (Lima-X, Bactrian-X, MT-Bench-X).

Templates are package data so that an installed (non-editable) package can render them:
``importlib.resources.files("hub_cards") / "lima_x.md"``.
"""
