"""The one Hub-repo layer for every dataset this project builds (Lima-X, Bactrian-X, MT-Bench-X).

- :mod:`hub_cards.cards`: card templates (``*.md`` here, package data, each with its YAML
  header) and their rendering;
- :mod:`hub_cards.folder`: the atomic repo-folder writer, which replaces only a folder that
  carries this project's marker;
- :mod:`hub_cards.configs`: the ``configs:`` of a folder's card and the check that every
  config's ``data_files`` exist;
- :mod:`hub_cards.push`: upload a folder to the Hub (after that check);
- :mod:`hub_cards.inspection`: load every config back with ``datasets`` and count rows.

It sits below ``lima_x`` and ``mt_bench_x`` and imports only ``polyglot_instruct``.
"""
