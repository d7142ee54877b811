"""Research Assistant: offline, self-verifying question answering over scientific papers.

Data flows one way: load -> chunk -> index -> retrieve -> answer/review -> verify -> present.
"""

from .api import ResearchAssistant
from .config import Settings
from .errors import AssistantError, ConfigError, IndexStoreError, InputError, OfflineError, ProviderError
from .models import Answer, Chunk, Citation, Evidence, IngestReport, Paper, Problem, SearchHit

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
]
