"""The on-disk store of sentence vectors: same vectors as the encoder, read back by a later process."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from assistant.vector_cache import CachedEncoder


class CountingEncoder:
    """A stand-in encoder: a fixed random vector per text, and a record of every text it was asked to encode."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.bulk_calls: list[list[str]] = []
        self._vectors: dict[str, np.ndarray] = {}
        self._random = np.random.default_rng(7)

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        for text in texts:
            self._vectors.setdefault(text, self._random.standard_normal(8).astype(np.float32))
        return np.stack([self._vectors[t] for t in texts]) if texts else np.zeros((0, 8), np.float32)

    def encode_bulk(self, texts: list[str]) -> np.ndarray:
        self.bulk_calls.append(list(texts))
        return self.encode(texts)


TEXTS = ["Sensitivity was 91% in the external cohort.", "The model was trained on 12,000 scans.",
         "Sensitivity was 91% in the external cohort."]


def test_a_later_process_reads_the_stored_vectors(tmp_path):
    encoder = CountingEncoder()
    first = CachedEncoder(encoder, tmp_path / "vectors.sqlite").encode(TEXTS)
    assert encoder.calls == [TEXTS[:2]]  # a repeated text is encoded once
    assert np.array_equal(first[0], first[2])

    again = CachedEncoder(encoder, tmp_path / "vectors.sqlite")  # a new process: a new connection, same file
    second = again.encode(list(reversed(TEXTS)) + ["A sentence not seen before."])
    assert encoder.calls[1:] == [["A sentence not seen before."]]
    assert np.array_equal(second[:3], first[::-1])


def test_an_unwritable_store_still_encodes(tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    encoder = CountingEncoder()
    with caplog.at_level(logging.WARNING, logger="assistant.vector_cache"):
        vectors = CachedEncoder(encoder, blocker / "vectors.sqlite").encode(TEXTS[:2])
    assert vectors.shape == (2, 8)
    assert encoder.calls == [TEXTS[:2]]
    assert "not kept on disk" in caplog.text


@pytest.mark.parametrize("texts", [[], ["One sentence."]])
def test_shapes_match_the_encoder(tmp_path, texts):
    encoder = CountingEncoder()
    assert CachedEncoder(encoder, tmp_path / "v.sqlite").encode(texts).shape == CountingEncoder().encode(texts).shape


def test_kept_sentences_are_not_encoded_again_by_a_question(tmp_path):
    """What indexing keeps (with the bulk path) a later question reads without encoding."""
    encoder = CountingEncoder()
    store = CachedEncoder(encoder, tmp_path / "vectors.sqlite")
    assert store.keep(TEXTS) == 2
    assert encoder.bulk_calls == [TEXTS[:2]]
    assert store.keep(TEXTS[:1]) == 0
    read = CachedEncoder(encoder, tmp_path / "vectors.sqlite").encode(TEXTS[:2])
    assert len(encoder.calls) == 1  # the one call under `keep`
    assert np.array_equal(read, np.stack([encoder._vectors[t] for t in TEXTS[:2]]))
