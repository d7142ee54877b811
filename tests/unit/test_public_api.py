"""The names `import assistant` offers are a contract: adding one is a decision, removing one breaks users."""

from __future__ import annotations

import assistant

EXPECTED = {
    "ResearchAssistant", "Settings", "AssistantError", "ConfigError", "IndexStoreError", "InputError", "OfflineError",
    "ProviderError", "Answer", "Chunk", "Citation", "Evidence", "IngestReport", "Paper", "Problem", "SearchHit",
    "Review", "Comparison", "Extraction", "PaperFields", "CheckReport", "RemoveReport", "ProviderStatus",
}


def test_all_is_pinned():
    assert set(assistant.__all__) == EXPECTED
    assert len(assistant.__all__) == len(EXPECTED)


def test_every_exported_name_exists():
    missing = [name for name in assistant.__all__ if not hasattr(assistant, name)]
    assert missing == []
