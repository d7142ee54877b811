"""Every setting of the assistant, in one place.

Values come from (highest first) keyword arguments, `ASSISTANT_*` environment
variables, a `.env` file in the working directory, then the defaults below.
Nothing else in the package reads the environment. This module imports nothing
of the project; `assistant.resources` turns settings into checked paths.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "PROJECT_ROOT", "BUNDLED_CORPUS", "PROMPTS_DIR", "EVALS_DIR", "IN_CHECKOUT", "DEFAULT_INDEX_DIR"]

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
# Everything the package needs at run time ships inside it; the top-level prompts/ and evals/ of a checkout
# are links to these folders.
BUNDLED_CORPUS = PACKAGE_DIR / "data" / "corpus" / "hf-daily-papers"
PROMPTS_DIR = PACKAGE_DIR / "data" / "prompts"
EVALS_DIR = PACKAGE_DIR / "data" / "evals"
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()
# A checkout keeps its index beside the code (./vectorstore); an installed package, in the user's data folder.
DEFAULT_INDEX_DIR = (
    PROJECT_ROOT / "vectorstore" if IN_CHECKOUT
    else Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "research-assistant" / "vectorstore"
)
INDEX_SCHEMA_VERSION = 1


class Settings(BaseSettings):
    """All settings; see the README's configuration table for the environment names."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_file=".env", extra="ignore", populate_by_name=True
    )

    # --- corpus and index -------------------------------------------------
    index_dir: Path = Field(
        default=DEFAULT_INDEX_DIR,
        description="folder of the embedded (persistent) Chroma index (checkout: ./vectorstore; installed: "
                    "$XDG_DATA_HOME/research-assistant/vectorstore)",
    )
    extraction_cache_dir: Path | None = Field(
        default=None, description="where extracted fields are cached (default: <index_dir>/extractions)"
    )
    collection: str = Field(
        default="papers",
        description="collection name prefix; a hash of embedding model + chunking is appended",
    )
    default_corpus: Path = Field(
        default=BUNDLED_CORPUS, description="papers indexed on first use when the index is empty"
    )
    chroma_host: str | None = Field(
        default=None, description="Chroma server host; set it to use `chroma run` instead of the embedded index"
    )
    chroma_port: int = Field(default=8000, description="Chroma server port")

    # --- embeddings and chunking -----------------------------------------
    embedding_model_path: Path | None = Field(
        default=None, description="sentence-transformers folder; default: the bundled all-MiniLM-L6-v2"
    )
    embedding_backend: Literal["auto", "onnx", "torch"] = Field(
        default="auto", description="auto: the ONNX export when setup.sh made one (loads in ~0.4 s, same vectors), "
        "else torch"
    )
    embedding_precision: Literal["auto", "fp32", "int8"] = Field(
        default="auto", description="vectors of the ONNX export's int8 quantisation (indexing ~2x faster, cosine "
        "~0.99 to fp32) or float ones; auto: int8 when setup.sh made it and the backend is ONNX, except that an "
        "index already built with fp32 vectors keeps them. Part of the index name: changing it gives a new index"
    )
    embedding_batch_size: int = Field(default=32, ge=1)
    embedding_threads: int = Field(
        default=1,
        ge=1,
        description="encoder threads for queries; 1 because a second thread fights llama.cpp for the core "
        "(measured 16x slower queries under load on 2 cores)",
    )
    keep_sentence_vectors: bool = Field(
        default=True, description="keep the vectors of the sentences answer selection embeds on disk, with "
        "their word pieces' vectors (<index>/sentence_vectors/), so a new process does not embed them again"
    )
    keep_sentence_vectors_at_ingest: bool = Field(
        default=True, description="when keeping sentence vectors, encode every sentence of each paper as it is "
        "indexed into the embedded index: indexing takes longer (about twice the encoder work), the first "
        "question about a paper does not wait for its sentences (with a Chroma server the store stays this "
        "machine's, filled by the questions it asks)"
    )
    ingest_threads: int = Field(
        default=0, ge=0, description="encoder threads for what is indexed (0: every core); indexing is a batch job"
    )
    chunk_max_tokens: int = Field(
        default=230, ge=32, description="word pieces per chunk; all-MiniLM-L6-v2 reads 256"
    )
    chunk_overlap_sentences: int = Field(default=1, ge=0, description="sentences repeated between chunks")

    # --- retrieval ---------------------------------------------------------
    search_k: int = Field(default=5, ge=1, description="default number of search results")
    rrf_k: int = Field(default=60, ge=1, description="reciprocal rank fusion constant")
    candidate_pool: int = Field(default=40, ge=5, description="hits taken from each retriever before fusion")
    hnsw_ef_search: int = Field(
        default=400, ge=10, description="breadth of Chroma's nearest-neighbour search; at Chroma's default (100) "
        "the 40 candidates of a long-used index differed from the exact ones, and from one process to the next, "
        "on up to 2 of 5 queries; 400 gave the exact ones every time. Applied to existing indexes on opening"
    )

    # --- language model ---------------------------------------------------
    provider: Literal["local", "openai"] = Field(default="local", description="which LLM answers")
    agent_mode: Literal["auto", "tools", "plan"] = Field(
        default="auto",
        description="tools: LangChain tool-calling agent; plan: fixed retrieve-answer-verify plan; "
        "auto: plan for local, tools for openai",
    )
    model: str = Field(default="gpt-4o-mini", description="model name sent to the OpenAI-compatible endpoint")
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ASSISTANT_OPENAI_API_KEY", "OPENAI_API_KEY", "openai_api_key")
    )
    openai_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("ASSISTANT_OPENAI_BASE_URL", "OPENAI_BASE_URL", "openai_base_url"),
    )
    local_model_path: Path | None = Field(
        default=None, description="GGUF file for the local provider; default: the bundled SmolLM2-135M"
    )
    local_context_tokens: int = Field(default=2048, ge=512)
    local_threads: int = Field(default=2, ge=1)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    max_answer_tokens: int = Field(default=200, ge=16)
    request_timeout: float = Field(default=60.0, gt=0, description="seconds per LLM request")
    max_retries: int = Field(default=2, ge=0, description="retries per LLM request before giving up")
    agent_max_steps: int = Field(default=8, ge=2, description="tool-calling rounds before the agent stops")

    # --- grounding --------------------------------------------------------
    evidence_k: int = Field(default=6, ge=1, description="evidence sentences shown to the model")
    evidence_papers: int = Field(default=4, ge=1, description="papers evidence is drawn from")
    support_min_coverage: float = Field(
        default=0.6, ge=0, le=1, description="share of a sentence's content words its evidence must contain"
    )
    vocabulary_path: Path | None = Field(
        default=None, description="the field's word lists (JSON, same keys as the bundled data/vocabulary.json)"
    )
    extractor_path: Path | None = Field(
        default=None, description="fitted field-extraction model (default: the bundled data/extractor.json; refit "
        "with `python -m assistant.evaluation.fit_extractor`)"
    )
    selector_path: Path | None = Field(
        default=None, description="fitted answer-selection models (default: the bundled data/selector.json; refit "
        "with `python -m assistant.evaluation.fit_selector`)"
    )
    writer_gate: bool = Field(
        default=True, description="skip writing a factoid answer when the fitted writer gate (data/writer_gate.json, "
        "fitted for one writer model) predicts its words would not be shown; the verified quote is the answer then"
    )

    # --- input limits -----------------------------------------------------------
    max_line_chars: int = Field(default=1_000_000, ge=1000, description="a text file with a longer line is "
                                "rejected (no paper file has one)")
    max_paper_chars: int = Field(default=2_000_000, ge=1000, description="a paper with more text (title, abstract "
                                 "and full text) is left out")

    # --- evaluation ---------------------------------------------------------
    eval_dir: Path = Field(default=Path("eval-runs"), description="where `assistant eval` and the UI's Evals tab "
                           "write each run's folder (reports compare every run in it)")

    # --- user interface ----------------------------------------------------
    ui_host: str = Field(default="127.0.0.1", description="address the Gradio UI binds to")
    ui_port: int = Field(default=7860)
    ui_auth: SecretStr | None = Field(
        default=None, description="'user:password' to require HTTP basic login in the web UI (off by default)"
    )
    ui_max_upload_mb: float = Field(default=50.0, gt=0, description="largest file the web UI accepts, in MB")
    ui_examples: list[str] = Field(
        default=["How many question-answer pairs does MedReason contain?", "Which base model is Med-R1 built on?"],
        description="example questions the chat offers (JSON list; they suit the bundled corpus, replace them "
        "for yours)",
    )

    # --- derived ------------------------------------------------------------
    def collection_name(self, precision: Literal["fp32", "int8"] = "fp32") -> str:
        """Collection name that changes with the embedding model, the precision of its vectors and chunking.

        Changing any gives a fresh collection instead of silently mixing
        incompatible vectors in an old one. fp32 adds nothing to the key, so
        indexes built before int8 existed keep their names.
        """
        model = self.embedding_model_path.name if self.embedding_model_path else "all-MiniLM-L6-v2"
        key = f"{model}|{self.chunk_max_tokens}|{self.chunk_overlap_sentences}|v{INDEX_SCHEMA_VERSION}"
        if precision != "fp32":
            key += f"|{precision}"
        return f"{self.collection}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"

    def effective_agent_mode(self) -> Literal["tools", "plan"]:
        if self.agent_mode != "auto":
            return self.agent_mode
        return "plan" if self.provider == "local" else "tools"
