"""Research Assistant: offline, self-verifying question answering over scientific papers.

Data flows one way: load -> chunk -> index -> retrieve -> answer/review -> verify -> present.
"""

import os

# Before any OpenMP runtime starts (torch's or llama.cpp's): idle threads sleep instead of spinning, so the
# embedding model, the chat model and anything else on a 2-core machine do not starve each other.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .api import ResearchAssistant  # noqa: E402
from .config import Settings  # noqa: E402
from .errors import AssistantError, ConfigError, IndexStoreError, InputError, OfflineError, ProviderError  # noqa: E402
from .models import (  # noqa: E402
    Answer, CheckReport, Chunk, Citation, Comparison, Evidence, Extraction, IngestReport, Paper, PaperFields, Problem,
    ProviderStatus, RemoveReport, Review, SearchHit,
)

__all__ = [
    "ResearchAssistant",
    "Settings",
    "AssistantError",
    "ConfigError",
    "IndexStoreError",
    "InputError",
    "OfflineError",
    "ProviderError",
    "Answer",
    "Chunk",
    "Citation",
    "Evidence",
    "IngestReport",
    "Paper",
    "Problem",
    "SearchHit",
    "Review",
    "Comparison",
    "Extraction",
    "PaperFields",
    "CheckReport",
    "RemoveReport",
    "ProviderStatus",
]
