"""Hypothesis strategies for the source formats (rows as the readers expect them)."""

from __future__ import annotations

from hypothesis import strategies as st

#: Any text UTF-8 can carry (no lone surrogates), line and paragraph separators included.
any_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),
    max_size=40,
)
#: Text with something besides white space: what a conversation turn must hold.
turn_text = any_text.filter(lambda text: text.strip() != "")


@st.composite
def conversations(draw: st.DrawFn) -> list[str]:
    """LIMA's alternating user / assistant turns, one or more pairs."""
    pairs = draw(st.integers(min_value=1, max_value=3))
    return [draw(turn_text) for _ in range(2 * pairs)]


lima_row = st.builds(
    lambda conversation, source: {"conversations": conversation, "source": source},
    conversations(),
    st.sampled_from(["stackexchange", "wikihow", "nlp", ""]),
)
lima_rows = st.lists(lima_row, min_size=1, max_size=8)

bactrian_row = st.fixed_dictionaries(
    {"instruction": turn_text, "input": any_text, "output": turn_text}
)


@st.composite
def bactrian_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    """Bactrian-X rows with distinct ids."""
    rows = draw(st.lists(bactrian_row, min_size=1, max_size=8))
    ids = draw(st.lists(st.text(min_size=1, max_size=8), min_size=len(rows),
                        max_size=len(rows), unique=True))  # fmt: skip
    return [{**row, "id": row_id} for row, row_id in zip(rows, ids, strict=True)]


#: Language codes as --langs takes them (two upper-case letters, distinct).
language_lists = st.lists(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2),
    min_size=2,
    max_size=6,
    unique=True,
)
#: Source ids: distinct strings, as LIMA (line numbers) or Bactrian-X (any id) have them.
id_lists = st.lists(st.text(min_size=1, max_size=6), max_size=60, unique=True)
