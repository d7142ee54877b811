"""Real embedding model + embedded Chroma: idempotent ingest, hybrid search, filters, interrupted writes."""

from __future__ import annotations

import pytest

from assistant.api import ResearchAssistant
from assistant.chunking import chunk_paper
from assistant.config import BUNDLED_CORPUS
from assistant.errors import ConfigError, IndexStoreError, InputError
from assistant.index import _PAPERS_PER_WRITE, forget_clients
from assistant.loaders import load_sources

pytestmark = pytest.mark.e2e

MEDREASON_ID = "medreason-eliciting-factual-medical-reasoning-steps-in-llms-via-knowledge-graphs"
TITLE_ONLY_FILE = "003_e7686ed9e3b5fe4d.txt"


def _own_assistant(make_settings, tmp_path, embedder=None, **overrides) -> ResearchAssistant:
    """An assistant with its own empty index (no automatic ingest of the bundled corpus)."""
    assistant = ResearchAssistant(settings=make_settings(default_corpus=tmp_path / "no-default-corpus", **overrides))
    if embedder is not None:
        assistant.__dict__["embedder"] = embedder  # replace the cached_property before the index is built
    return assistant


def _chunks_expected(assistant: ResearchAssistant, papers) -> int:
    budget = min(assistant.settings.chunk_max_tokens, assistant.embedder.max_tokens)
    return sum(
        len(chunk_paper(p, assistant.embedder.count_tokens, budget, assistant.settings.chunk_overlap_sentences))
        for p in papers
    )


def _index_integrity(assistant: ResearchAssistant) -> tuple[int, int]:
    """No orphan or duplicate chunks: every chunk belongs to a committed paper, each paper has chunks."""
    index = assistant.index
    records = index.chunks.get(include=["metadatas"])
    ids = records["ids"]
    assert len(ids) == len(set(ids))
    committed = set(index.papers())
    chunk_papers = {meta["paper_id"] for meta in records["metadatas"]}
    assert chunk_papers == committed
    return len(committed), len(ids)


# --- the shared corpus index ------------------------------------------------------------


def test_bundled_corpus_is_indexed_once(ra):
    papers = ra.papers()
    assert len(papers) >= 246
    assert MEDREASON_ID in {p.paper_id for p in papers}
    n_papers, n_chunks = _index_integrity(ra)
    assert n_chunks >= n_papers


def test_an_index_opened_with_another_search_breadth_takes_the_configured_one(make_settings, tmp_path,
                                                                              small_corpus):
    narrow = _own_assistant(make_settings, tmp_path, hnsw_ef_search=100)
    narrow.ingest([small_corpus])
    assert narrow.index.chunks.configuration_json["hnsw"]["ef_search"] == 100
    reopened = _fresh_process_view(narrow, make_settings, tmp_path)
    assert reopened.settings.hnsw_ef_search == 400
    assert [c.configuration_json["hnsw"]["ef_search"] for c in (reopened.index.chunks, reopened.index.catalog)] \
        == [400, 400]
    assert len(reopened.index.papers()) == 3


def test_reingest_of_the_bundled_corpus_adds_nothing(ra):
    before = ra.index.version()
    report = ra.ingest([BUNDLED_CORPUS])
    assert (report.added, report.updated, report.skipped) == (0, 0, 246)
    assert report.problems == []
    assert ra.index.version() == before


@pytest.mark.parametrize(
    "title",
    [
        "MedReason: Eliciting Factual Medical Reasoning Steps in LLMs via Knowledge Graphs",
        "Autoregressive Models in Vision: A Survey",
        "MedTrinity-25M: A Large-scale Multimodal Dataset with Multigranular Annotations for Medicine",
        "SurgWound-Bench: A Benchmark for Surgical Wound Diagnosis",
        "MMed-RAG: Versatile Multimodal RAG System for Medical Vision Language Models",
    ],
)
def test_title_query_finds_the_exact_paper_first(ra, title):
    hits = ra.search(title, k=5)
    assert hits[0].title == title
    assert len({h.paper_id for h in hits}) == len(hits)  # one row per paper


def test_almost_every_title_finds_its_paper(ra):
    bundled = {f.name for f in BUNDLED_CORPUS.glob("*.txt")}
    papers = [p for p in ra.papers() if p.source in bundled]
    assert len(papers) == 246
    first, top3, misses = 0, 0, []
    for paper in papers:
        ranked = [h.paper_id for h in ra.search(paper.title, k=3)]
        first += ranked[0] == paper.paper_id
        top3 += paper.paper_id in ranked
        if ranked[0] != paper.paper_id:
            misses.append(paper.title)
    assert top3 == len(papers), misses
    assert first / len(papers) >= 0.98, misses


@pytest.mark.parametrize("query", ["32,682", "32682"])
def test_distinctive_number_finds_its_paper(ra, query):
    hits = ra.search(query, k=5)
    assert hits[0].paper_id == MEDREASON_ID
    assert "32,682" in hits[0].snippet


def test_a_name_that_is_also_a_word_finds_its_paper(ra):
    """"LEADS" is a system; "leads to" in other abstracts must not drown it."""
    hits = ra.search("What is the name of the instruction dataset that LEADS is trained on?", k=3)
    assert hits[0].paper_id == "a-foundation-model-for-human-ai-collaboration-in-medical-literature-mining"


def test_snippets_are_sentences_of_the_paper(ra):
    for hit in ra.search("segmentation of 3D medical images", k=8):
        text = ra.paper(hit.paper_id).text
        assert hit.snippet.rstrip("…") in text
        assert hit.year == ra.paper(hit.paper_id).year
    scores = [h.score for h in ra.search("segmentation of 3D medical images", k=8)]
    assert scores == sorted(scores, reverse=True)


def test_year_filter_keeps_only_that_range(ra):
    query = "medical image segmentation"
    unfiltered = ra.search(query, k=20)
    assert {h.year for h in unfiltered} - {2023}, "the filter below would be vacuous"
    only_2023 = ra.search(query, k=20, year_from=2023, year_to=2023)
    assert only_2023 and all(h.year == 2023 for h in only_2023)
    recent = ra.search(query, k=20, year_from=2025)
    assert recent and all(h.year is not None and h.year >= 2025 for h in recent)
    older = ra.search(query, k=20, year_to=2022)
    assert older and all(h.year is not None and h.year <= 2022 for h in older)


def test_year_filter_returns_every_paper_of_a_small_range(ra):
    in_2019 = {p.paper_id for p in ra.papers() if p.year == 2019}
    assert in_2019  # facts of the corpus: at least one 2019 paper
    hits = ra.search("medical", k=10, year_from=2019, year_to=2019)
    assert {h.paper_id for h in hits} == in_2019


def test_source_filter(ra):
    hits = ra.search("medical vision language model", k=10, source=TITLE_ONLY_FILE)
    assert hits
    for hit in hits:
        assert TITLE_ONLY_FILE in ra.paper(hit.paper_id).sources


def test_empty_query_and_unknown_id_are_input_errors(ra):
    with pytest.raises(InputError):
        ra.search("   ")
    with pytest.raises(InputError):
        ra.paper("no-such-paper-id")


# --- own small indexes --------------------------------------------------------------------


def test_reingest_is_idempotent_and_a_changed_paper_is_updated(make_settings, tmp_path, small_corpus):
    assistant = _own_assistant(make_settings, tmp_path)
    first = assistant.ingest([small_corpus])
    assert (first.added, first.updated, first.skipped) == (3, 0, 0)
    assert first.problems == []
    version = assistant.index.version()
    assert version[0] == 3 and version[1] >= 3

    again = assistant.ingest([small_corpus])
    assert (again.added, again.updated, again.skipped) == (0, 0, 3)
    assert assistant.index.version() == version
    assert assistant.search("marsupials", k=1)  # the lexical index is built now, before the change

    # the same paper with one word changed: updated in place, same number of chunks
    small_corpus.write_text(small_corpus.read_text().replace("counts marsupials", "counts wombats"))
    changed = assistant.ingest([small_corpus])
    assert (changed.added, changed.updated, changed.skipped) == (0, 1, 2)
    assert assistant.index.version()[:2] == version[:2]
    assert assistant.index.version() != version  # same counts, yet caches see the write
    lexical = assistant.retriever._lexical_ranking("wombats", 5)
    assert lexical and lexical[0].paper_id == "quokka-net-counting-marsupials-in-aerial-thermal-images"
    _index_integrity(assistant)
    quokka = assistant.paper("quokka-net-counting-marsupials-in-aerial-thermal-images")
    assert "counts wombats" in quokka.abstract
    stored = assistant.index.chunks.get(where={"paper_id": quokka.paper_id}, include=["documents"])
    assert any("counts wombats" in doc for doc in stored["documents"])
    assert not any("counts marsupials" in doc for doc in stored["documents"])
    assert assistant.search("wombats", k=1)[0].paper_id == quokka.paper_id


def test_an_index_keeps_the_precision_its_vectors_were_made_with(make_settings, tmp_path, small_corpus):
    """A new index gets int8 vectors (set-up made the export); one built with float vectors, as every index
    was before int8, keeps them under `auto`, and asking for int8 explicitly never mixes the two."""
    fresh = _own_assistant(make_settings, tmp_path)
    fresh.ingest([small_corpus])
    assert fresh.vector_precision == fresh.embedder.precision == "int8"
    assert fresh.search("4,213 annotated frames", k=1)[0].paper_id == QUOKKA_ID
    forget_clients()
    on_torch = ResearchAssistant(settings=make_settings(index_dir=fresh.settings.index_dir, embedding_backend="torch",
                                                        default_corpus=tmp_path / "no-default-corpus"))
    with pytest.raises(ConfigError, match="the index holds int8 vectors"):
        on_torch.index  # noqa: B018 - never a new float index silently in place of the int8 one

    built_with_floats = _own_assistant(make_settings, tmp_path, embedding_precision="fp32")
    built_with_floats.ingest([small_corpus])
    assert built_with_floats.index.chunks.name == built_with_floats.settings.collection_name()
    reopened = _fresh_process_view(built_with_floats, make_settings, tmp_path)
    assert reopened.settings.embedding_precision == "auto"
    assert reopened.vector_precision == reopened.embedder.precision == "fp32"
    assert reopened.index.chunks.name == built_with_floats.index.chunks.name
    assert reopened.search("4,213 annotated frames", k=1)[0].paper_id == QUOKKA_ID

    forget_clients()
    asked_int8 = ResearchAssistant(settings=make_settings(index_dir=built_with_floats.settings.index_dir,
                                                          default_corpus=tmp_path / "no-default-corpus",
                                                          embedding_precision="int8"))
    assert asked_int8.index.chunks.name != built_with_floats.index.chunks.name
    assert asked_int8.index.papers() == {}  # a new, empty index beside the float one, which keeps its papers
    assert len(_fresh_process_view(built_with_floats, make_settings, tmp_path).index.papers()) == 3


def test_small_corpus_search_and_inferred_year(make_settings, tmp_path, small_corpus):
    assistant = _own_assistant(make_settings, tmp_path)
    assistant.ingest([small_corpus])
    hits = assistant.search("4,213 annotated frames", k=3)
    assert hits[0].paper_id == "quokka-net-counting-marsupials-in-aerial-thermal-images"
    tidal = assistant.paper("tidal-sonar-transformer-for-estuary-mapping")
    assert tidal.year == 2025  # "Jan 9" without a year: the year after the newest explicit one (2024)
    assert [h.paper_id for h in assistant.search("estuary sonar", k=3, year_from=2025)] == [tidal.paper_id]


QUOKKA_ID = "quokka-net-counting-marsupials-in-aerial-thermal-images"


def _fresh_process_view(assistant: ResearchAssistant, make_settings, tmp_path) -> ResearchAssistant:
    """Another ResearchAssistant over the same folder, as a new process would open it (no shared caches)."""
    forget_clients()
    return ResearchAssistant(settings=make_settings(index_dir=assistant.settings.index_dir,
                                                    default_corpus=tmp_path / "no-default-corpus"))


def test_a_new_process_loads_the_saved_lexical_index_instead_of_rebuilding(make_settings, tmp_path, small_corpus,
                                                                           monkeypatch):
    assistant = _own_assistant(make_settings, tmp_path)
    assistant.ingest([small_corpus])
    assert assistant.search("4,213 annotated frames", k=1)[0].paper_id == QUOKKA_ID
    saved = list(assistant.index.lexical_dir().iterdir())
    assert [folder.name for folder in saved] == [assistant.index.fingerprint()]

    from assistant.lexical import LexicalIndex

    def refuse(*_args):
        raise AssertionError("rebuilt although a saved copy of the same content exists")

    monkeypatch.setattr(LexicalIndex, "build", classmethod(refuse))
    reopened = _fresh_process_view(assistant, make_settings, tmp_path)
    assert [c.paper_id for c in reopened.retriever._lexical_ranking("4,213 annotated frames", 3)][:1] == [QUOKKA_ID]


def test_a_saved_lexical_index_of_other_content_is_never_read(make_settings, tmp_path, small_corpus):
    assistant = _own_assistant(make_settings, tmp_path)
    assistant.ingest([small_corpus])
    assistant.search("marsupials", k=1)
    before = assistant.index.fingerprint()
    # another process changes one word: same paper and chunk counts, new content
    writer = _fresh_process_view(assistant, make_settings, tmp_path)
    small_corpus.write_text(small_corpus.read_text().replace("counts marsupials", "counts wombats"))
    assert writer.ingest([small_corpus]).updated == 1
    reader = _fresh_process_view(assistant, make_settings, tmp_path)
    assert reader.index.fingerprint() != before
    assert [c.paper_id for c in reader.retriever._lexical_ranking("wombats", 3)] == [QUOKKA_ID]
    assert [f.name for f in reader.index.lexical_dir().iterdir()] == [reader.index.fingerprint()]


def test_a_damaged_saved_lexical_index_is_rebuilt(make_settings, tmp_path, small_corpus):
    assistant = _own_assistant(make_settings, tmp_path)
    assistant.ingest([small_corpus])
    assistant.search("marsupials", k=1)
    folder = assistant.index.lexical_dir() / assistant.index.fingerprint()
    for saved in folder.iterdir():
        saved.write_bytes(b"\x00 not an index")
    reopened = _fresh_process_view(assistant, make_settings, tmp_path)
    assert reopened.search("4,213 annotated frames", k=1)[0].paper_id == QUOKKA_ID
    assert QUOKKA_ID in (folder / "chunk_ids.txt").read_text()  # saved again, readable


class _FailOnCall:
    """Delegates to the real embedder but raises on its n-th bulk encode call (one per group of papers)."""

    def __init__(self, inner, fail_on: int) -> None:
        self.inner = inner
        self.fail_on = fail_on
        self.calls = 0

    def encode_bulk(self, texts):
        """What ingest encodes with."""
        self.calls += 1
        if self.calls == self.fail_on:
            raise RuntimeError("simulated crash while embedding")
        return self.inner.encode_bulk(texts)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_interrupted_ingest_leaves_a_usable_index(ra, make_settings, tmp_path):
    source = BUNDLED_CORPUS
    papers = load_sources([str(source)]).papers
    assert len(papers) > _PAPERS_PER_WRITE  # needs at least two write groups
    flaky = _FailOnCall(ra.embedder, fail_on=2)
    # one bulk call per group: without the sentence vectors, which would add a second one per group
    assistant = _own_assistant(make_settings, tmp_path, embedder=flaky, keep_sentence_vectors_at_ingest=False)

    with pytest.raises(IndexStoreError) as failure:
        assistant.ingest([source])
    assert "simulated crash" in str(failure.value)
    groups = -(-len(papers) // _PAPERS_PER_WRITE)
    assert flaky.calls == min(3, groups)  # the group after the failing one was already being encoded

    committed = {p.paper_id for p in assistant.papers()}
    first_group = [p.paper_id for p in papers[:_PAPERS_PER_WRITE]]
    assert committed == set(first_group)
    _index_integrity(assistant)
    survivor = papers[0]
    assert assistant.search(survivor.title, k=3)[0].paper_id == survivor.paper_id
    lost = papers[_PAPERS_PER_WRITE]
    assert lost.paper_id not in {h.paper_id for h in assistant.search(lost.title, k=5)}

    # the cause is gone (only the 2nd call failed): a re-ingest completes the job
    report = assistant.ingest([source])
    assert (report.added, report.updated, report.skipped) == (
        len(papers) - _PAPERS_PER_WRITE,
        0,
        _PAPERS_PER_WRITE,
    )
    n_papers, n_chunks = _index_integrity(assistant)
    assert n_papers == len(papers)
    assert n_chunks == _chunks_expected(assistant, papers)
    assert assistant.search(lost.title, k=3)[0].paper_id == lost.paper_id


def test_every_record_of_a_large_collection_is_read(tmp_path):
    """One unpaged `get` of ~35,000 records fails inside Chroma ("too many SQL variables"); the index reads its
    catalog and chunks in pages, so a 100k-chunk index still opens."""
    import numpy as np

    from assistant.index import _get_all, _import_chromadb

    client = _import_chromadb().PersistentClient(path=str(tmp_path / "large"))
    collection = client.get_or_create_collection("large-collection", embedding_function=None)
    n, step = 40_000, 5_000
    for start in range(0, n, step):
        collection.add(ids=[f"record-{i:05d}" for i in range(start, start + step)],
                       embeddings=np.random.default_rng(start).random((step, 4)).tolist(),
                       metadatas=[{"position": i} for i in range(start, start + step)],
                       documents=[f"text {i}" for i in range(start, start + step)])
    records = _get_all(collection, ["metadatas", "documents"])
    assert len(records["ids"]) == len(set(records["ids"])) == n
    assert sorted(m["position"] for m in records["metadatas"]) == list(range(n))
    assert all(doc == f"text {m['position']}" for doc, m in zip(records["documents"], records["metadatas"]))


def test_a_new_process_reads_the_saved_term_weights_instead_of_every_paper(make_settings, tmp_path, small_corpus,
                                                                           monkeypatch):
    assistant = _own_assistant(make_settings, tmp_path)
    assistant.ingest([small_corpus])
    first = assistant.ask("How many annotated frames does QuokkaNet's dataset contain?")
    assert (assistant.index.derived_dir() / "term_weights.json").is_file()

    from assistant.selection import TermWeights

    def refuse(*_args):
        raise AssertionError("term weights recomputed although saved for the same content")

    monkeypatch.setattr(TermWeights, "__init__", refuse)
    reopened = _fresh_process_view(assistant, make_settings, tmp_path)
    reopened.selector._weights = None  # the fitted selector is shared in-process; a new process starts empty
    again = reopened.ask("How many annotated frames does QuokkaNet's dataset contain?")
    assert again.answer == first.answer and again.citations == first.citations
