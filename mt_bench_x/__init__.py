"""MT-Bench-X: MT-Bench in several languages, with a per-language LLM judge in FastChat's layout."""

__version__ = "0.1.0"
