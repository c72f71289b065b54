"""The dataset layer: the benchmark in memory, its build (published files or a rebuild through
the translation layer), human corrections, the ``[[D]]`` prompt derivation, the Hub repo
folder and the export to FastChat's layout."""
