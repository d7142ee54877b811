"""The on-disk store of sentence vectors: same vectors as the encoder, read back by a later process."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from assistant.embeddings import TokenVectors
from assistant.vector_cache import CachedEncoder


class CountingEncoder:
    """A stand-in encoder: a fixed random vector per text, and a record of every text it was asked to encode."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.bulk_calls: list[list[str]] = []
        self._vectors: dict[str, np.ndarray] = {}
        self._random = np.random.default_rng(7)
        self.pieces: dict[str, TokenVectors] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        for text in texts:
            self._vectors.setdefault(text, self._random.standard_normal(8).astype(np.float32))
        return np.stack([self._vectors[t] for t in texts]) if texts else np.zeros((0, 8), np.float32)

    def encode_bulk(self, texts: list[str]) -> np.ndarray:
        self.bulk_calls.append(list(texts))
        return self.encode(texts)

    def encode_with_tokens(self, texts: list[str], bulk: bool = False) -> tuple[np.ndarray, list[TokenVectors]]:
        """The same vectors, and one piece per word of the text, each a fixed random direction."""
        vectors = self.encode_bulk(texts) if bulk else self.encode(texts)
        pieces = [TokenVectors.quantised([len(w) for w in t.split()], self._random.standard_normal((len(t.split()), 8)))
                  for t in texts]
        self.pieces.update(zip(texts, pieces, strict=True))
        return vectors, [self.pieces[t] for t in texts]


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
    """What indexing keeps (with the bulk path), vectors and word pieces, a later question reads without
    encoding."""
    encoder = CountingEncoder()
    store = CachedEncoder(encoder, tmp_path / "vectors.sqlite")
    assert store.keep(TEXTS) == 2
    assert encoder.bulk_calls == [TEXTS[:2]]
    assert store.keep(TEXTS[:1]) == 0
    reader = CachedEncoder(encoder, tmp_path / "vectors.sqlite")
    read = reader.encode(TEXTS[:2])
    vectors, pieces = reader.encode_with_tokens(TEXTS[:2])
    assert len(encoder.calls) == 1  # the one call under `keep`
    assert np.array_equal(read, np.stack([encoder._vectors[t] for t in TEXTS[:2]])) and np.array_equal(read, vectors)
    for text, kept in zip(TEXTS[:2], pieces, strict=True):
        given = encoder.pieces[text]
        assert np.array_equal(kept.ids, given.ids) and np.array_equal(kept.steps, given.steps)
        assert np.array_equal(kept.scales, given.scales)


def test_word_pieces_of_texts_stored_without_them_are_encoded_once(tmp_path):
    """A store written before word pieces were kept holds only vectors: the pieces are encoded once, then read."""
    encoder = CountingEncoder()
    CachedEncoder(encoder, tmp_path / "vectors.sqlite").encode(TEXTS[:2])
    store = CachedEncoder(encoder, tmp_path / "vectors.sqlite")
    _, pieces = store.encode_with_tokens(TEXTS)
    assert encoder.calls[1:] == [TEXTS[:2]] and [len(p.ids) for p in pieces] == [len(t.split()) for t in TEXTS]
    CachedEncoder(encoder, tmp_path / "vectors.sqlite").encode_with_tokens(TEXTS)
    assert len(encoder.calls) == 2
