"""Validation-set curation: StackExchange QA pairs → candidates for a hand-curated validation set.

The paper (Appendix B) builds Lima-X's validation set from StackExchange instead of holding out
LIMA train rows: question–answer pairs from the public dumps, filtered by phrases, length,
language and near-duplicates of LIMA train, then curated by hand. The steps here do the
automatic part and say, per step, what they dropped and why:

* :mod:`~lima_x.curation.stackexchange`: dumps (``Posts.xml``, extracted folders, ``.7z``
  archives, QA-pair JSONL) → :class:`~lima_x.curation.records.QAPair` with bounded memory;
* :mod:`~lima_x.curation.html_text`: HTML bodies → text, code blocks kept;
* :mod:`~lima_x.curation.filters`: phrase, length and language filters;
* :mod:`~lima_x.curation.dedup`: near-duplicates (MinHash + LSH) against LIMA and within the set;
* :mod:`~lima_x.curation.run`: the whole run, its candidates file and its drop report.
"""
