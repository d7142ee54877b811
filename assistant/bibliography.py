"""BibTeX entries and LaTeX citations for indexed papers: what a review is exported with.

Keys are what a reader can look up: the arXiv id when known, else the DOI, else
first author + year + first title word. Entries are written by bibtexparser, so
they parse back with it (a test does). Imports only the citation-marker parser, so the
typed records in `models` can offer `.bibtex()` and `.latex()` themselves.
"""

from __future__ import annotations

import re
import unicodedata

from .citations import MARKER, numbers_in_order

__all__ = ["citation_key", "bibtex_entries", "latex_escape", "latex_citations"]

_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_SPECIAL_OR_ESCAPED = re.compile(r"\\[&%$#_{}]|[\\&%$#_{}~^]")


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", folded).lower()


def citation_key(paper_id: str, title: str, arxiv_id: str | None = None, doi: str | None = None,
                 year: int | None = None, authors: list[str] | None = None) -> str:
    """"2504.00993" (arXiv), "10.1001/jama.2024.1" (DOI), else "wu2025medreason" (author, year, title word)."""
    if arxiv_id:
        return arxiv_id
    if doi:
        return doi
    surname = _ascii_word(authors[0].split()[-1]) if authors else ""
    first_word = next((w for w in (_ascii_word(t) for t in title.split()) if len(w) > 3), "") or _ascii_word(paper_id)
    return f"{surname}{year or ''}{first_word}" or _ascii_word(paper_id)


def bibtex_entries(references: list[dict]) -> str:
    """One @article (arXiv: @misc with eprint) per reference dict: key, title, authors, year, arxiv_id, doi, url.

    bibtexparser (with pyparsing, ~40 ms) is imported here: every command loads this module, few write BibTeX."""
    from bibtexparser.bibdatabase import BibDatabase
    from bibtexparser.bwriter import BibTexWriter

    database = BibDatabase()
    for ref in references:
        entry = {"ID": ref["key"], "ENTRYTYPE": "misc" if ref.get("arxiv_id") else "article",
                 "title": "{" + latex_escape(ref["title"]) + "}"}
        if ref.get("authors"):
            entry["author"] = " and ".join(latex_escape(a) for a in ref["authors"])
        if ref.get("year"):
            entry["year"] = str(ref["year"])
        if ref.get("arxiv_id"):
            entry.update(eprint=ref["arxiv_id"], archiveprefix="arXiv")
        if ref.get("doi"):
            entry["doi"] = ref["doi"]
        if ref.get("url"):
            entry["url"] = ref["url"]
        database.entries.append(entry)
    writer = BibTexWriter()
    writer.order_entries_by = None
    return writer.write(database)


def latex_escape(text: str) -> str:
    """Special characters escaped; ones a paper's text already escaped ("48\\%") are left as they are."""
    return _SPECIAL_OR_ESCAPED.sub(lambda m: m.group(0) if len(m.group(0)) == 2 else _LATEX_SPECIAL[m.group(0)], text)


def latex_citations(text: str, keys: dict[int, str]) -> str:
    """Text with "[1, 2]" markers as LaTeX: markers become \\cite{k1,k2}, everything else is escaped."""
    out, last = [], 0
    for match in MARKER.finditer(text):
        out.append(latex_escape(text[last:match.start()]))
        cited = [keys[n] for n in numbers_in_order(match.group(0)) if n in keys]
        out.append("\\cite{" + ",".join(cited) + "}" if cited else "")
        last = match.end()
    out.append(latex_escape(text[last:]))
    return "".join(out)
