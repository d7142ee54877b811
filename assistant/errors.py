"""The project's own exceptions: every user-facing failure is one of these.

Each carries a message that says what went wrong *and what to do next*; the CLI
prints it as one line and the UI shows it as a notice, so no user mistake ever
surfaces as a traceback.
"""

from __future__ import annotations

__all__ = [
    "AssistantError",
    "ConfigError",
    "InputError",
    "IndexStoreError",
    "ProviderError",
    "OfflineError",
]


class AssistantError(Exception):
    """Base class: a problem the user can act on."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class ConfigError(AssistantError):
    """A setting is missing or has an impossible value."""


class InputError(AssistantError):
    """A file, id or argument the user gave cannot be used."""


class IndexStoreError(AssistantError):
    """The Chroma index cannot be opened, read or written."""


class ProviderError(AssistantError):
    """The language model cannot be reached or answered unusably."""


class OfflineError(AssistantError):
    """A feature needs the network and there is none."""
