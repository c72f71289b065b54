"""The formats layer: FastChat's folder layout, JSONL I/O, question / answer / judgment /
judge-prompt records and the package's errors. Every other layer of ``mt_bench_x`` builds on it."""
