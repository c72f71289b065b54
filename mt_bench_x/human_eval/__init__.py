"""Human evaluation of MT-Bench-X (paper, Sections 4.3 and 6): a voting app for native
speakers, its SQLite votes store, export to FastChat's human-judgment format, and the
agreement analysis (human–judge, human–human, Fleiss' kappa).

Built on the formats layer only. :mod:`mt_bench_x.human_eval.agreement` is pure (no web or
database imports) so that the results/report layer can call it; the web app
(:mod:`mt_bench_x.human_eval.app`) needs the ``human-eval`` extra.
"""
