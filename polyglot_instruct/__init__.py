"""The lowest layer of the toolkit, shared by ``lima_x`` and ``mt_bench_x``: the error root
and the one command-line error handler. It imports nothing from the other packages."""
