"""Prompt files from `prompts/`, filled by name so a missing placeholder fails loudly."""

from __future__ import annotations

import string
from functools import lru_cache

from .config import PROMPTS_DIR
from .errors import ConfigError

__all__ = ["render"]


@lru_cache(maxsize=None)
def _template(name: str) -> str:
    path = PROMPTS_DIR / f"{name}.txt"
    if not path.is_file():
        raise ConfigError(f"prompt file {path} is missing", "restore it from the repository")
    return path.read_text(encoding="utf-8")


def render(name: str, **values: str) -> str:
    template = _template(name)
    wanted = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    missing = wanted - values.keys()
    if missing:
        raise ConfigError(f"prompt '{name}' needs {sorted(missing)}", "pass every placeholder the file names")
    return template.format(**{k: values[k] for k in wanted})
