"""Sentence vectors kept on disk, so a new process reads what an earlier one embedded.

Answer selection embeds every sentence of the best retrieved papers (~40 texts, ~0.45 s on one thread): most of
a cold `assistant ask`. The same papers come back for related questions, so their vectors are stored in one SQLite
file per collection (the collection name already changes with the embedding model), keyed by a hash of the text.
A stored vector is the one the encoder gave for that text; texts the store lacks are encoded and added. Each
text's word-piece vectors (`TokenVectors`: int8 steps with one scale per piece, about 14 kB for a 35-piece
sentence, ten times its vector) are kept beside it, as selection matches a question's pieces to a sentence's.
Indexing into the embedded index fills the store with every sentence of each new paper (`keep`), so that even the
first question about a paper finds its sentences encoded.

The store only saves time: when its folder cannot be written (a read-only index, a full disk), texts are encoded
as before and a warning is logged once.

    >>> cached = CachedEncoder(embedder, Path("vectorstore/sentence_vectors/papers-1a2b3c.sqlite"))
    >>> cached.encode(["MedReason holds 32,682 question-answer pairs."]).shape
    (1, 384)
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from pathlib import Path

import numpy as np

from .embeddings import TokenVectors

__all__ = ["CachedEncoder"]

_LOG = logging.getLogger(__name__)
_BATCH = 500  # keys per SELECT: below SQLite's limit on bound variables


class CachedEncoder:
    """`encode` of the wrapped embedder, reading and adding vectors in a SQLite file."""

    def __init__(self, embedder, path: Path) -> None:
        self.embedder, self.path = embedder, path
        self._connection: sqlite3.Connection | None = None
        self._broken = False
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return self.embedder.encode(texts)
        keys, stored, _, _ = self._complete(texts, with_tokens=False)
        return np.stack([stored[k] for k in keys]).astype(np.float32, copy=False)

    def encode_with_tokens(self, texts: list[str]) -> tuple[np.ndarray, list[TokenVectors]]:
        """`encode`, and each text's `TokenVectors`: stored, or encoded (both from one pass) and stored."""
        if not texts:
            return self.embedder.encode_with_tokens(texts)
        keys, stored, tokens, _ = self._complete(texts, with_tokens=True)
        return np.stack([stored[k] for k in keys]).astype(np.float32, copy=False), [tokens[k] for k in keys]

    def keep(self, texts: list[str]) -> int:
        """Encode and store the texts the store lacks, with their `TokenVectors`, on the embedder's bulk path
        (indexing may use every core), so that no later question waits for them. Returns how many were
        encoded."""
        return self._complete(texts, with_tokens=True, bulk=True)[3] if texts else 0

    def token_ids(self, text: str) -> list[int]:
        return self.embedder.token_ids(text)

    @property
    def wordless_ids(self) -> frozenset[int]:
        return self.embedder.wordless_ids

    def _complete(self, texts: list[str], with_tokens: bool, bulk: bool = False):
        """The texts' keys, vectors and (`with_tokens`) `TokenVectors`, stored or freshly encoded in one pass and
        stored, and how many texts were encoded. A text lacking either is encoded once for both; a vector already
        stored stays the one given, as it was written first."""
        keys = [_key(t) for t in texts]
        with self._lock:
            stored = self._read(keys)
            tokens = self._read_tokens(keys) if with_tokens else {}
        missing = list(dict.fromkeys(k for k in keys if k not in stored or with_tokens and k not in tokens))
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            batch = [text_of[k] for k in missing]
            if with_tokens:
                fresh, fresh_tokens = self.embedder.encode_with_tokens(batch, bulk=bulk)
                tokens.update(zip(missing, fresh_tokens, strict=True))
            else:
                fresh = self.embedder.encode(batch)
            stored.update((k, v) for k, v in zip(missing, fresh, strict=True) if k not in stored)
            with self._lock:
                self._write([(k, stored[k]) for k in missing], [(k, tokens[k]) for k in missing if k in tokens])
        return keys, stored, tokens, len(missing)

    def _open(self) -> sqlite3.Connection | None:
        if self._connection is None and not self._broken:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
                connection.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
                connection.execute("CREATE TABLE IF NOT EXISTS tokens (key TEXT PRIMARY KEY, ids BLOB NOT NULL, "
                                   "scales BLOB NOT NULL, steps BLOB NOT NULL)")
                connection.commit()
                self._connection = connection
            except (OSError, sqlite3.Error) as exc:
                self._fail(exc)
        return self._connection

    def _read(self, keys: list[str]) -> dict[str, np.ndarray]:
        return {key: np.frombuffer(blob, dtype=np.float32)
                for key, blob in self._select("SELECT key, vector FROM vectors WHERE key IN", keys)}

    def _read_tokens(self, keys: list[str]) -> dict[str, TokenVectors]:
        found: dict[str, TokenVectors] = {}
        for key, ids, scales, steps in self._select("SELECT key, ids, scales, steps FROM tokens WHERE key IN", keys):
            scale = np.frombuffer(scales, dtype=np.float32)
            found[key] = TokenVectors(np.frombuffer(ids, dtype=np.int32),
                                      np.frombuffer(steps, dtype=np.int8).reshape(len(scale), -1), scale)
        return found

    def _select(self, query: str, keys: list[str]) -> list[tuple]:
        """The rows `query` (a SELECT ending in "key IN") gives for the distinct `keys`, asked in batches that
        SQLite's parameter limit allows; none when the store cannot be read."""
        connection = self._open()
        if connection is None:
            return []
        unique = list(dict.fromkeys(keys))
        rows: list[tuple] = []
        try:
            for start in range(0, len(unique), _BATCH):
                part = unique[start:start + _BATCH]
                rows += connection.execute(f"{query} ({','.join('?' * len(part))})", part).fetchall()
        except sqlite3.Error as exc:
            self._fail(exc)
            return []
        return rows

    def _write(self, rows: list[tuple[str, np.ndarray]],
               token_rows: list[tuple[str, TokenVectors]] = ()) -> None:
        connection = self._open()
        if connection is None:
            return
        try:
            connection.executemany("INSERT OR IGNORE INTO vectors (key, vector) VALUES (?, ?)",
                                   [(key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in rows])
            connection.executemany("INSERT OR IGNORE INTO tokens (key, ids, scales, steps) VALUES (?, ?, ?, ?)",
                                   [(key, *_token_blobs(t)) for key, t in token_rows])
            connection.commit()
        except sqlite3.Error as exc:
            self._fail(exc)

    def _fail(self, exc: Exception) -> None:
        _LOG.warning("sentence vectors are not kept on disk (%s: %s); they are encoded each time", self.path, exc)
        self._broken, self._connection = True, None


def _token_blobs(tokens: TokenVectors) -> tuple[bytes, bytes, bytes]:
    return tokens.ids.astype(np.int32).tobytes(), tokens.scales.tobytes(), tokens.steps.tobytes()


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
