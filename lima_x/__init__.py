"""Build parallel multilingual instruction datasets (Lima-X, Bactrian-X mixtures) as Hub repos."""

__version__ = "0.1.0"
