"""Training recipes (TRL SFT + accelerate); importable for the tiny-model helpers used in tests."""
