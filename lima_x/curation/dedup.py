"""Near-duplicate removal: word shingles, MinHash and LSH (``datasketch``).

A pair is a near-duplicate when the LSH index returns a document whose estimated Jaccard
similarity to it (over word shingles) is at least the threshold: LSH finds the candidates, the
MinHash estimate confirms them. Against LIMA train the index holds every LIMA row (all turns);
within the set it holds the pairs kept so far, so the first of a group of near-duplicates stays.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from typing import Any

from lima_x.curation.config import CurationConfig
from lima_x.curation.records import QAPair
from lima_x.errors import require_module
from lima_x.pipeline import FilterStep

_WORD = re.compile(r"\w+")


def shingles(text: str, size: int) -> set[str]:
    """Lower-cased word ``size``-grams of ``text`` (the whole text when it is shorter)."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words)}
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


class MinHashIndex:
    """An LSH index of MinHash signatures, with the signatures kept to confirm candidates."""

    def __init__(self, config: CurationConfig) -> None:
        require_module("datasketch", "curation")
        from datasketch import MinHashLSH

        self.config = config
        self.lsh = MinHashLSH(threshold=config.dedup_threshold, num_perm=config.num_perm)
        self.signatures: dict[str, Any] = {}

    def signature(self, text: str) -> Any:
        from datasketch import MinHash

        # crc32 (C, deterministic across runs) instead of datasketch's default SHA-1 in Python:
        # shingles only need a well-spread 32-bit value before the permutations.
        minhash = MinHash(num_perm=self.config.num_perm, seed=self.config.seed, hashfunc=zlib.crc32)
        minhash.update_batch([s.encode("utf-8") for s in shingles(text, self.config.shingle_words)])
        return minhash

    def add(self, key: str, signature: Any) -> None:
        if key not in self.signatures:
            self.lsh.insert(key, signature)
            self.signatures[key] = signature

    def closest(self, signature: Any) -> tuple[str, float] | None:
        """The most similar indexed key at or above the threshold, with its similarity."""
        best: tuple[str, float] | None = None
        for key in self.lsh.query(signature):
            similarity = float(signature.jaccard(self.signatures[key]))
            if similarity >= self.config.dedup_threshold and (best is None or similarity > best[1]):
                best = (key, similarity)
        return best


class NearDuplicateOfReference(FilterStep[QAPair]):
    """Drop pairs that nearly duplicate a reference row (LIMA train)."""

    name = "dedup_against_lima"
    reasons: tuple[str, ...] = ("near_duplicate_of_lima",)

    def __init__(self, reference: Iterable[tuple[str, str]], config: CurationConfig) -> None:
        self.index = MinHashIndex(config)
        for key, text in reference:
            self.index.add(key, self.index.signature(text))

    def reason(self, sample: QAPair) -> str | None:
        found = self.index.closest(self.index.signature(sample.pair_text()))
        if found is None:
            return None
        sample.drop_detail = f"LIMA train row {found[0]} (estimated Jaccard {found[1]:.2f})"
        return self.reasons[0]


class NearDuplicateWithinSet(FilterStep[QAPair]):
    """Drop pairs that nearly duplicate a pair kept before them."""

    name = "dedup_within_set"
    reasons: tuple[str, ...] = ("near_duplicate_within_set",)

    def __init__(self, config: CurationConfig) -> None:
        self.index = MinHashIndex(config)

    def reason(self, sample: QAPair) -> str | None:
        signature = self.index.signature(sample.pair_text())
        found = self.index.closest(signature)
        if found is not None:
            sample.drop_detail = f"pair {found[0]} (estimated Jaccard {found[1]:.2f})"
            return self.reasons[0]
        self.index.add(sample.id, signature)
        return None
