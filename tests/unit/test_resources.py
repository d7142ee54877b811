"""Bundled models are located, and a wrong path or value is a ConfigError that says what to fix."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.resources import embedding_model_path, load_settings, local_model_path


def test_a_missing_local_model_file_names_the_setting(tmp_path):
    settings = Settings(_env_file=None, local_model_path=tmp_path / "absent.gguf")
    with pytest.raises(ConfigError, match="absent.gguf does not exist") as error:
        local_model_path(settings)
    assert "ASSISTANT_LOCAL_MODEL_PATH" in error.value.hint


def test_a_missing_embedding_folder_names_the_setting(tmp_path):
    settings = Settings(_env_file=None, embedding_model_path=tmp_path / "no-model")
    with pytest.raises(ConfigError, match="no-model does not exist"):
        embedding_model_path(settings)


def test_the_bundled_models_are_found_when_installed():
    settings = Settings(_env_file=None)
    assert local_model_path(settings).suffix == ".gguf"
    assert (embedding_model_path(settings) / "config_sentence_transformers.json").is_file()


def test_a_bad_environment_value_is_reported_as_the_variable(monkeypatch):
    monkeypatch.setenv("ASSISTANT_EVIDENCE_K", "many")
    with pytest.raises(ConfigError, match="evidence_k = 'many' is invalid"):
        load_settings(_env_file=None)


def test_the_index_name_keeps_its_float_form_and_changes_with_int8_vectors():
    """Indexes built before int8 existed were named from model, chunking and schema alone (this is the name
    such an index has on disk); float vectors must keep finding them, int8 vectors must never join them."""
    settings = Settings(_env_file=None)
    assert settings.collection_name() == settings.collection_name("fp32") == "papers-b4c334960e"
    assert settings.collection_name("int8") not in ("papers-b4c334960e", "papers")
    assert settings.collection_name("int8").startswith("papers-")
