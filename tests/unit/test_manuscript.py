"""Manuscripts read as sentences with their citation keys: LaTeX, pandoc Markdown, numbered references."""

from __future__ import annotations

import pytest

from assistant.manuscript import detect_format, read_manuscript

LATEX = r"""\documentclass{article}
\begin{document}
\section{Related work}
% an old draft said \cite{gone}
Medical VLMs hallucinate often \cite{rule24, mmed}. MedReason holds 32,682 pairs~\citep[p.~3]{medreason}, i.e.\ 61\% more
than before \citet{other}.
We build on \textbf{both}.
\begin{thebibliography}{9}
\bibitem{rule24} P. Xia et al. RULE: Reliable Multimodal RAG for Factuality. EMNLP 2024.
\end{thebibliography}
\end{document}
"""


def _pairs(manuscript):
    return [(s.text, s.keys) for s in manuscript.sentences]


def test_latex_citations_escapes_and_comments():
    manuscript = read_manuscript(LATEX)
    assert manuscript.format == "latex"
    assert _pairs(manuscript) == [
        ("Medical VLMs hallucinate often.", ["rule24", "mmed"]),
        ("MedReason holds 32,682 pairs, i.e. 61% more than before.", ["medreason", "other"]),
        ("We build on both.", []),
    ]
    assert manuscript.references["rule24"].startswith("P. Xia et al. RULE")


def test_pandoc_groups_prefixes_locators_and_narrative_citations():
    text = "# Intro\n\nVLMs hallucinate [@rule24; @mmed]. It has *32,682* pairs [see @medreason, p. 3].\n"
    assert _pairs(read_manuscript(text)) == [("VLMs hallucinate.", ["rule24", "mmed"]),
                                             ("It has 32,682 pairs.", ["medreason"])]
    assert read_manuscript("As @wu2025 shows, it works [@lee].", "markdown").sentences[0].keys == ["wu2025", "lee"]


def test_numbered_citations_ranges_and_a_citation_after_the_full_stop():
    text = ("VLMs hallucinate often [1, 3-4]. MedReason holds 32,682 pairs. [2] A plain sentence.\n\n"
            "References\n[1] Xia et al. RULE. 2024.\n[2] Wu et al. MedReason: Eliciting Factual Medical Reasoning.\n"
            "   arXiv:2504.00993\n3. Lee. Another title.\n")
    manuscript = read_manuscript(text)
    assert manuscript.format == "plain"
    assert _pairs(manuscript) == [("VLMs hallucinate often.", ["1", "3", "4"]),
                                  ("MedReason holds 32,682 pairs.", ["2"]), ("A plain sentence.", [])]
    assert manuscript.references["2"] == "Wu et al. MedReason: Eliciting Factual Medical Reasoning. arXiv:2504.00993"
    assert set(manuscript.references) == {"1", "2", "3"}


@pytest.mark.parametrize("text, suffix, expected", [
    ("x", ".tex", "latex"), ("x", ".md", "markdown"), (r"as \cite{a} said", None, "latex"),
    ("as [@a] said", None, "markdown"), ("as [1] said", ".txt", "plain"),
])
def test_format_from_suffix_else_from_content(text, suffix, expected):
    assert detect_format(text, suffix) == expected
