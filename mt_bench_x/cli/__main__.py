"""``python -m mt_bench_x.cli``: the same as the ``mt-bench-x`` command."""

from mt_bench_x.cli import main

main()
