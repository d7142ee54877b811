"""The Python API; the CLI and the UI are thin layers over this class.

Example:
    >>> from assistant import ResearchAssistant
    >>> ra = ResearchAssistant()            # builds the index from the bundled corpus if empty
    >>> hits = ra.search("MedReason", k=3)
    >>> hits[0].model_dump().keys()
    dict_keys(['paper_id', 'title', 'score', 'year', 'snippet'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import cached_property
from pathlib import Path

from pydantic import SecretStr

from .chunking import chunk_paper
from .config import Settings
from .resources import embedding_model_path, load_settings
from .embeddings import Embedder, OnnxEmbedder, Precision, get_embedder, int8_available
from .errors import ConfigError, InputError
from .index import PaperIndex, forget_clients, indexed_precisions
from .loaders import load_sources
from .models import (
    Answer, CheckReport, Comparison, Extraction, IngestReport, Paper, ProviderStatus, RebuildReport, RemoveReport,
    Review, ReviewStyle, SearchHit,
)
from .retrieve import Retriever, SearchFilters
from .vocabulary import VocabularyError, use_vocabulary

__all__ = ["ResearchAssistant"]


class ResearchAssistant:
    """Ingest papers, search them and answer questions with verified citations."""

    def __init__(self, provider: str | None = None, settings: Settings | None = None, **overrides) -> None:
        if provider is not None:
            overrides["provider"] = provider
        base = settings or load_settings()
        self.settings = base.model_copy(update=overrides) if overrides else base
        if self.settings.provider not in ("local", "openai"):
            raise InputError(f"unknown provider '{self.settings.provider}'", "use --provider local or --provider openai")
        try:
            use_vocabulary(self.settings.vocabulary_path)
        except VocabularyError as exc:
            raise ConfigError(str(exc), "fix the file or unset ASSISTANT_VOCABULARY_PATH") from None

    # --- components (built on first use: loading models costs seconds) -------
    @cached_property
    def embedder(self) -> Embedder | OnnxEmbedder:
        settings = self.settings
        return get_embedder(embedding_model_path(settings), settings.embedding_batch_size, settings.embedding_threads,
                            settings.embedding_backend, settings.ingest_threads, self.vector_precision)

    @cached_property
    def vector_precision(self) -> Precision:
        """The setting, or for `auto`: what the index already holds (int8 first), else int8 when the backend can
        run it. An index holding only int8 vectors is never silently swapped for a new float one."""
        settings = self.settings
        if settings.embedding_precision != "auto":
            return settings.embedding_precision
        held = indexed_precisions(settings)
        if int8_available(embedding_model_path(settings), settings.embedding_backend):
            return "int8" if "int8" in held or not held else "fp32"
        if held == {"int8"}:
            raise ConfigError("the index holds int8 vectors, which only ONNX Runtime's int8 export makes",
                              "run `python -m assistant.embeddings` (setup.sh does) and leave "
                              "ASSISTANT_EMBEDDING_BACKEND unset, or set ASSISTANT_EMBEDDING_PRECISION=fp32 to "
                              "start a float index beside it")
        return "fp32"

    @cached_property
    def index(self) -> PaperIndex:
        return self.open_index()

    def open_index(self, progress: Callable[[int, int], None] | None = None) -> PaperIndex:
        """The index, built from the bundled corpus on first start (reporting `progress(done, total)`).

        Later starts only open it, unless the first build was interrupted: then they complete it (papers
        already committed are skipped). `ra.index` calls this without progress; a front end that wants to show
        the first build calls it first.
        """
        if "index" in self.__dict__:
            return self.__dict__["index"]
        index = PaperIndex(self.settings, self.embedder)
        if (index.is_empty() or index.first_build_unfinished()) and self.settings.default_corpus.exists():
            index.mark_first_build("started")
            self._ingest_into(index, [str(self.settings.default_corpus)], progress)
            index.mark_first_build("done")
        self.__dict__["index"] = index
        return index

    @cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.settings, self.index, self.embedder)

    @cached_property
    def selector(self):
        from .selection import SELECTOR_PATH, load_selector

        path = self.settings.selector_path or SELECTOR_PATH
        try:
            return load_selector(path)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"answer-selection models {path} cannot be read: {exc}",
                              "refit them with `python -m assistant.evaluation.fit_selector` or fix "
                              "ASSISTANT_SELECTOR_PATH") from None

    @cached_property
    def agent(self):
        from .agent import ResearchAgent
        from .selection import load_writer_gate

        gate = load_writer_gate() if self.settings.writer_gate else None
        return ResearchAgent(self.settings, self.retriever, selector=self.selector, writer_gate=gate)

    # --- corpus ----------------------------------------------------------------
    def ingest(
        self, paths: Iterable[str | Path], progress: Callable[[int, int], None] | None = None
    ) -> IngestReport:
        """Load files/folders/`arxiv:` references and add them; re-ingesting is a no-op."""
        return self._ingest_into(self.index, [str(p) for p in paths], progress)

    def _ingest_into(
        self, index: PaperIndex, sources: list[str], progress: Callable[[int, int], None] | None = None
    ) -> IngestReport:
        loaded = load_sources(sources, self.settings.max_line_chars, self.settings.max_paper_chars)
        total = len(loaded.papers)
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(done, total)

        def chunker(paper: Paper):
            return chunk_paper(
                paper,
                self.embedder.count_tokens,
                min(self.settings.chunk_max_tokens, self.embedder.max_tokens),
                self.settings.chunk_overlap_sentences,
            )

        report = index.ingest(loaded.papers, chunker, tick)
        report.problems = loaded.problems + report.problems
        return report

    def rebuild_index(self, paths: Iterable[str | Path] = (),
                      progress: Callable[[int, int], None] | None = None) -> RebuildReport:
        """Move a damaged embedded index folder aside (never deleting it) and build a new one from the bundled
        corpus and `paths`; the old folder keeps its name plus `.broken-<time>`.

        Example:
            >>> ra.rebuild_index(["my-papers/"]).moved_to
        """
        if self.settings.chroma_host:
            name = self.settings.collection_name(self.vector_precision)
            raise InputError("rebuild works on the embedded index, not on a Chroma server",
                             f"on the server, delete the collections '{name}' and '{name}-catalog', then ingest again")
        old = self.settings.index_dir
        moved_to = None
        if old.exists():
            moved_to = old.with_name(f"{old.name}.broken-{datetime.now():%Y%m%d-%H%M%S}")
            old.rename(moved_to)
        for built in ("index", "retriever", "agent", "vector_precision", "embedder"):  # a new index: int8 if it can
            self.__dict__.pop(built, None)
        forget_clients()  # a client opened before would still point at the moved folder
        index = PaperIndex(self.settings, self.embedder)
        report = IngestReport()
        sources = ([str(self.settings.default_corpus)] if self.settings.default_corpus.exists() else []) + \
            [str(p) for p in paths]
        if sources:
            report = self._ingest_into(index, sources, progress)
        self.__dict__["index"] = index
        return RebuildReport(**report.model_dump(), moved_to=str(moved_to) if moved_to else None)

    def remove(self, paper_ids: Iterable[str]) -> RemoveReport:
        """Take papers out of the index (their chunks too); unknown ids are reported, nothing else changes."""
        wanted = list(dict.fromkeys(pid.strip() for pid in paper_ids if pid.strip()))
        if not wanted:
            raise InputError("no paper id given to remove", "list ids with `assistant papers`")
        known = self.index.papers()
        present = [pid for pid in wanted if pid in known]
        self.index.remove(present)
        return RemoveReport(removed=present, unknown=[pid for pid in wanted if pid not in known])

    def papers(self) -> list[Paper]:
        return sorted(self.index.papers().values(), key=lambda p: (-(p.year or 0), p.title.lower()))

    def paper(self, paper_id: str) -> Paper:
        found = self.index.papers().get(paper_id)
        if found is None:
            raise InputError(f"no indexed paper has id '{paper_id}'", "list ids with `assistant papers`")
        return found

    def search(
        self,
        query: str,
        k: int | None = None,
        year_from: int | None = None,
        year_to: int | None = None,
        source: str | None = None,
    ) -> list[SearchHit]:
        if not query.strip():
            raise InputError("the search query is empty", "give a few words to search for")
        filters = SearchFilters(year_from=year_from, year_to=year_to, source=source)
        return self.retriever.search(query, k or self.settings.search_k, filters)

    # --- language model -----------------------------------------------------------
    def use_provider(self, provider: str, base_url: str | None = None, model: str | None = None,
                     api_key: str | None = None) -> ProviderStatus:
        """Switch which model answers (local, or an OpenAI-compatible endpoint) and report whether it is reachable.

        The index, embedder and fitted models are kept; only the agent is rebuilt.

        Example:
            >>> ra.use_provider("openai", base_url="http://127.0.0.1:8000/v1", model="smollm2").reachable
        """
        if provider not in ("local", "openai"):
            raise InputError(f"unknown provider '{provider}'", "choose local or openai")
        update: dict = {"provider": provider}
        if base_url is not None:
            update["openai_base_url"] = base_url.strip() or None
        if model is not None and model.strip():
            update["model"] = model.strip()
        if api_key:
            update["openai_api_key"] = SecretStr(api_key)
        self.settings = self.settings.model_copy(update=update)
        self.__dict__.pop("agent", None)
        return self.provider_status()

    def provider_status(self) -> ProviderStatus:
        """Which model answers and whether it can be reached now (a local file, or the endpoint's model list)."""
        from .llm import probe_provider

        return probe_provider(self.settings)

    # --- questions ---------------------------------------------------------------
    def ask(self, question: str, history: list[dict] | None = None) -> Answer:
        """Answer from the indexed papers; every shown sentence is verified against its citation."""
        answer = None
        for kind, payload in self.events(question, history):
            if kind == "answer":
                answer = payload
        return answer

    def stream(self, question: str, history: list[dict] | None = None) -> Iterator[str]:
        """Yield the verified answer text as it is produced."""
        for kind, payload in self.events(question, history):
            if kind == "text":
                yield payload

    def events(self, question: str, history: list[dict] | None = None) -> Iterator[tuple[str, object]]:
        """What happens while a question is answered, for interfaces that show it as it happens.

        Yields ("step", Step) for each search or tool call, ("text", str) for verified answer text as it
        streams, and last ("answer", Answer), which is authoritative: it replaces the streamed text.

        Example:
            >>> for kind, payload in ra.events("Which base model is Med-R1 built on?"):
            ...     if kind == "step":
            ...         print("step:", payload.tool)
        """
        if not question.strip():
            raise InputError("the question is empty", "type a question about the indexed papers")
        yield from self.agent.events(question, history or [])

    # --- writing -----------------------------------------------------------------
    def review(self, topic: str, papers: int = 8, style: ReviewStyle = "related-work",
               from_abstract: str | None = None) -> Review:
        """A related-work section (or mini-review) of the indexed papers on `topic`, one paragraph per theme.

        Every sentence cites the papers it describes and passed the verifier; `.latex()` and `.bibtex()`
        export it. With `from_abstract` (the user's own abstract) the topic comes from it and each theme
        ends by positioning that work against the cited ones.

        Example:
            >>> review = ra.review("hallucination in medical vision-language models", papers=6)
            >>> print(review.text)
            >>> open("refs.bib", "w").write(review.bibtex())
        """
        from .review import write_review

        if not (topic.strip() or (from_abstract or "").strip()):
            raise InputError("the review topic is empty", "give a topic, or an abstract with --from-abstract")
        if style not in ("related-work", "mini-review"):
            raise InputError(f"unknown review style '{style}'", "use related-work or mini-review")
        if papers < 1:
            raise InputError(f"--papers must be at least 1, got {papers}", "ask for 2 to 12 papers")
        return write_review(topic.strip() or "the given abstract", retriever=self.retriever, selector=self.selector,
                            settings=self.settings, papers=papers, style=style, from_abstract=from_abstract)

    def check(self, text: str, bib: str | Path | None = None, format: str | None = None) -> CheckReport:
        """Each cited sentence of a manuscript judged against the papers it cites, and its uncited claims.

        `text` is LaTeX, Markdown with pandoc citations, or text with numbered references (detected, or
        given as `format`); `bib` is the path of the BibTeX file its keys come from. Nothing is indexed.

        Example:
            >>> report = ra.check(open("related.tex").read(), bib="refs.bib")
            >>> [(s.verdict, s.reason) for s in report.flagged()]
        """
        from .check import check_manuscript
        from .manuscript import read_manuscript

        if not text.strip():
            raise InputError("the manuscript is empty", "give the text whose citations should be checked")
        if format not in (None, "latex", "markdown", "plain"):
            raise InputError(f"unknown manuscript format '{format}'", "use latex, markdown or plain")
        entries, problems = self._bib_entries(Path(bib)) if bib else (None, [])
        report = check_manuscript(read_manuscript(text, format), retriever=self.retriever, bib=entries,
                                  bib_name=str(bib) if bib else "refs.bib",
                                  min_coverage=self.settings.support_min_coverage)
        return report.model_copy(update={"problems": problems})

    def _bib_entries(self, path: Path):
        from .loaders.bibtex import load_keyed

        if not path.is_file():
            raise InputError(f"BibTeX file {path} does not exist", "give the path of the .bib file the text cites")
        result, entries = load_keyed(path)
        if not entries:
            first = result.problems[0] if result.problems else None
            raise InputError(f"no usable entries in {path}" + (f": {first.message}" if first else ""),
                             "fix the BibTeX file (each entry needs a key and a title)")
        return entries, result.problems

    def extract(self, paper_id: str, schema=None) -> Extraction:
        """Fields of one paper, each with the exact sentence it comes from; unstated fields stay None.

        `schema` is a pydantic model class (each field's description is the question it answers) or a JSON
        schema dict; the default (`assistant.PaperFields`) fits empirical papers in general. Results
        are cached on disk by paper content, schema and model.

        Example:
            >>> fields = ra.extract(ra.search("MedReason", k=1)[0].paper_id).fields
            >>> fields["dataset_size"].value, fields["dataset_size"].quote
        """
        from .extract import extract_paper, field_specs, schema_name

        paper = self.paper(paper_id)
        try:
            specs = field_specs(schema)
        except ValueError as exc:
            raise InputError(str(exc), "pass a pydantic model or a JSON schema with 'properties'") from None
        return extract_paper(paper, specs, retriever=self.retriever, selector=self.selector, settings=self.settings,
                             schema_label=schema_name(schema), cache_dir=self._extraction_cache())

    def compare(self, paper_ids: list[str] | None = None, fields: list[str] | None = None,
                query: str | None = None, n: int = 5) -> Comparison:
        """Papers side by side, one cell per field with its quote, and a verified summary of their statements.

        Give the papers by id, or a `query` whose first `n` search hits are compared.

        Example:
            >>> table = ra.compare(query="medical reasoning datasets", n=3, fields=["dataset_size", "base_model"])
            >>> print(table.to_markdown())
        """
        from .extract import compare_papers, extract_paper, field_specs

        if query:
            paper_ids = [hit.paper_id for hit in self.search(query, k=n)]
        paper_ids = list(dict.fromkeys(paper_ids or []))
        if len(paper_ids) < 2:
            raise InputError(f"a comparison needs at least two papers, got {len(paper_ids)}",
                             "give two or more paper ids, or --query with -n 2 or more")
        papers = [self.paper(pid) for pid in paper_ids]
        specs = field_specs(None, only=fields)
        extractions = [extract_paper(p, specs, retriever=self.retriever, selector=self.selector,
                                     settings=self.settings, cache_dir=self._extraction_cache()) for p in papers]
        return compare_papers(extractions, self.index.papers(), [s.name for s in specs],
                              self.settings.support_min_coverage)

    def _extraction_cache(self) -> Path:
        from .extract import cache_dir_for

        return cache_dir_for(self.settings)
