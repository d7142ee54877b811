"""arXiv identifiers in references, URLs and free text: text only, so the loaders that read them need not
import the network client."""

from __future__ import annotations

import re

__all__ = ["normalise_arxiv_id", "find_arxiv_id"]

_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}"
_ID = re.compile(rf"^(?P<id>{_NEW_ID}|{_OLD_ID})(?:v\d+)?$")
_ID_IN_TEXT = re.compile(rf"arxiv(?:\.org/(?:abs|pdf)/|:\s*|\s+)(?P<id>{_NEW_ID}|{_OLD_ID})", re.IGNORECASE)
_PREFIX = re.compile(r"^(?:arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE)


def normalise_arxiv_id(raw: str) -> str | None:
    """'arXiv:2401.12345v2' or an abs/pdf URL -> '2401.12345'; None when it is no arXiv id.

    Dropping the version lets the same paper from a PDF, a BibTeX file and the
    API merge into one.
    """
    text = _PREFIX.sub("", raw.strip())
    text = re.sub(r"\.pdf$", "", text, flags=re.IGNORECASE)
    match = _ID.match(text)
    return match.group("id") if match else None


def find_arxiv_id(text: str) -> str | None:
    """An arXiv id mentioned in free text ('arXiv preprint arXiv:2401.12345', a URL, a PDF stamp)."""
    match = _ID_IN_TEXT.search(text)
    return match.group("id") if match else None
