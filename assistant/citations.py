"""Citation markers ("[1]", "[1, 2]", "[1; 3]"): the one parser the product and the eval share.

Kept apart from the answering code so the eval can read an answer's citations
without importing the verifier it grades. A marker written after the full stop
("... pairs. [1]") belongs to the sentence before it (ALCE #26): `attach_markers`
moves it in front of the stop before any sentence splitting.
"""

from __future__ import annotations

import re

__all__ = ["MARKER", "MARKER_GROUP", "MARKERS_AFTER_STOP", "attach_markers", "cited_numbers", "numbers_in_order", "renumber_markers",
           "strip_markers"]

_NUMBER_LIST = r"\d+(?:\s*[,;]\s*\d+)*"
MARKER_GROUP = rf"\[{_NUMBER_LIST}\]"
MARKER = re.compile(rf"\[({_NUMBER_LIST})\]")
MARKERS_AFTER_STOP = re.compile(rf"([.!?])\s*((?:\[{_NUMBER_LIST}\]\s*)+)")


def attach_markers(text: str) -> str:
    """"Claim. [1] Next." -> "Claim [1]. Next.": a marker after a stop moves in front of it."""
    return MARKERS_AFTER_STOP.sub(lambda m: f" {m.group(2).strip()}{m.group(1)} ", text)


def cited_numbers(text: str) -> list[int]:
    """Every number any marker in the text cites, sorted and unique: "a [2] b [1, 2]" -> [1, 2]."""
    return sorted({int(n) for group in MARKER.findall(text) for n in re.split(r"[,;]", group)})


def numbers_in_order(text: str) -> list[int]:
    """Every number any marker cites, once, in order of first use: "a [3, 1] b [1, 2]" -> [3, 1, 2]."""
    return list(dict.fromkeys(int(n) for group in MARKER.findall(text) for n in re.split(r"[,;]", group)))


def strip_markers(text: str) -> str:
    """The text without markers, spaces collapsed and none left before punctuation."""
    return re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s+", " ", MARKER.sub("", text))).strip()


def renumber_markers(text: str, new_number: dict[int, int]) -> str:
    """Every marker rewritten through the mapping: ("a [3, 5]", {3: 1, 5: 2}) -> "a [1, 2]"."""
    return MARKER.sub(lambda m: "[" + ", ".join(str(new_number[int(n)]) for n in re.split(r"[,;]", m.group(1))) + "]",
                      text)
