"""Fixtures for the agent unit tests: a tiny real index the scripted fake models answer from."""

from __future__ import annotations

import pytest

from assistant.config import BUNDLED_CORPUS, Settings
from assistant.loaders.hf_daily import parse

KEEP = ("medreason-", "medtrinity-25m", "medshapenet", "autoregressive-models-in-vision")


@pytest.fixture(scope="module")
def small_ra(tmp_path_factory):
    """ResearchAssistant over 4 bundled-corpus papers written as a title/abstract Daily Papers dump."""
    from assistant.api import ResearchAssistant

    papers = {}
    for file in sorted(BUNDLED_CORPUS.glob("*.txt")):
        for paper in parse(file.read_text(encoding="utf-8"), file.name).papers:
            if paper.paper_id.startswith(KEEP):
                papers.setdefault(paper.paper_id, paper)
    assert len(papers) == 4
    root = tmp_path_factory.mktemp("small-index")
    corpus = root / "000_small.txt"
    corpus.write_text("\n\n".join(f"{p.title}\n\n{p.abstract}" for p in papers.values()) + "\n", encoding="utf-8")
    ra = ResearchAssistant(settings=Settings(_env_file=None, index_dir=root / "vectorstore", default_corpus=corpus))
    assert len(ra.index.papers()) == 4
    return ra
