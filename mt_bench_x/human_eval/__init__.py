"""Human evaluation of MT-Bench-X (paper, Sections 4.3 and 6): a voting app for native
speakers, its SQLite votes store, export to FastChat's human-judgment format, and the
agreement analysis (human–judge, human–human, Fleiss' kappa).

The pure agreement computations and vote file reading live below, in
:mod:`mt_bench_x.results.agreement` and :mod:`mt_bench_x.results.vote_files` (the report uses
them too); :mod:`.agreement` and :mod:`.vote_files` here name them. The web app
(:mod:`mt_bench_x.human_eval.app`) needs the ``human-eval`` extra.
"""
