"""The BM25 half of hybrid retrieval, saved beside the index so a new process loads it instead of rebuilding.

bm25s indexes, scores and saves; this module maps scores back to chunk ids and decides whether a saved copy
still matches the index: each copy lives in a folder named by a stamp of what it was built from (the
committed papers' content hashes, the collection name and `FORMAT`), so a copy of another state is never read.
Chunk texts are not kept here: the caller fetches the few it ranks from the index.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from .text import STOPWORDS, numbers, tokens

__all__ = ["LexicalIndex", "lexical_terms", "load_or_build", "stamp"]

FORMAT = "1"  # bump when lexical_terms or the saved layout changes, so older saved copies are not read
_IDS_FILE = "chunk_ids.txt"


def lexical_terms(text: str) -> list[str]:
    """BM25 terms: words minus stopwords, plus canonical numbers ("32,682" -> "32682")."""
    words = [t for t in tokens(text) if t not in STOPWORDS and not t[0].isdigit()]
    return words + [f"#{n}" for n in numbers(text)]


def stamp(collection: str, content_hashes: Iterable[tuple[str, str]]) -> str:
    """What a lexical index is built from: the collection and every committed (paper id, content hash)."""
    digest = hashlib.sha256(f"{FORMAT}\n{collection}\n".encode())
    for paper_id, content_hash in sorted(content_hashes):
        digest.update(f"{paper_id}\t{content_hash}\n".encode())
    return digest.hexdigest()[:24]


def _tokenizer():
    """bm25s's tokenizer and vocabulary over our word splitter, which keeps names and canonical numbers whole.

    Case is kept for the splitter, which reads "1.6M" as 1,600,000 before it lower-cases the words. No
    stemmer: Snowball stems were measured here and not adopted (README, "Libraries kept and declined").
    """
    from bm25s.tokenization import Tokenizer

    return Tokenizer(lower=False, splitter=lexical_terms, stopwords=None, stemmer=None)


class LexicalIndex:
    """BM25 over chunk texts, answering with chunk ids."""

    def __init__(self, bm25, tokenizer, chunk_ids: list[str]) -> None:
        self.bm25 = bm25
        self.tokenizer = tokenizer
        self.chunk_ids = chunk_ids

    @classmethod
    def build(cls, chunk_ids: list[str], texts: list[str]) -> LexicalIndex:
        import bm25s

        tokenizer = _tokenizer()
        bm25 = bm25s.BM25()
        if texts:
            bm25.index(tokenizer.tokenize(texts, return_as="tuple", show_progress=False), show_progress=False)
        return cls(bm25, tokenizer, list(chunk_ids))

    def rank(self, query: str, pool: int) -> list[str]:
        """Ids of the `pool` best-scoring chunks that share a term with the query, best first."""
        if not self.chunk_ids:
            return []
        terms = self.tokenizer.tokenize([query], update_vocab=False, return_as="ids", show_progress=False,
                                        allow_empty=False)[0]
        if not terms:
            return []
        import numpy as np

        scores = self.bm25.get_scores(terms)
        if pool < len(scores):
            top = np.argpartition(-scores, pool)[:pool]
            order = top[np.argsort(-scores[top], kind="stable")]
        else:
            order = np.argsort(-scores, kind="stable")
        return [self.chunk_ids[i] for i in order if scores[i] > 0]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / _IDS_FILE).write_text("\n".join(self.chunk_ids), encoding="utf-8")
        self.tokenizer.save_vocab(str(folder))
        if self.chunk_ids:
            self.bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The copy saved in `folder`, or None when there is none or it cannot be read (it is then rebuilt)."""
        ids_file = folder / _IDS_FILE
        if not ids_file.is_file():
            return None
        try:
            import bm25s

            text = ids_file.read_text(encoding="utf-8")
            chunk_ids = text.split("\n") if text else []
            tokenizer = _tokenizer()
            tokenizer.load_vocab(str(folder))
            bm25 = bm25s.BM25.load(str(folder), mmap=True, show_progress=False) if chunk_ids else bm25s.BM25()
        except (OSError, ValueError, KeyError):
            return None
        if chunk_ids and bm25.scores.get("num_docs") != len(chunk_ids):
            return None
        return cls(bm25, tokenizer, chunk_ids)


def load_or_build(root: Path | None, key: str, chunks: Callable[[], tuple[list[str], list[str]]]) -> LexicalIndex:
    """The saved copy for `key` under `root`, else one built from `chunks()` (ids, texts) and saved there.

    Saving goes through a temporary folder renamed into place, so a reader never sees half a copy; copies of
    other keys are removed. Without a writable `root` the index is only kept in memory.
    """
    folder = root / key if root else None
    if folder is not None:
        saved = LexicalIndex.load(folder)
        if saved is not None:
            return saved
        shutil.rmtree(folder, ignore_errors=True)  # unreadable: replaced below
    built = LexicalIndex.build(*chunks())
    if root is None:
        return built
    try:
        root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".saving-", dir=root))
        built.save(scratch)
        try:
            os.replace(scratch, folder)
        except OSError:  # another process saved the same key first
            shutil.rmtree(scratch, ignore_errors=True)
        for other in root.iterdir():
            if other.name != key and not other.name.startswith(".saving-"):
                shutil.rmtree(other, ignore_errors=True)
    except OSError:
        pass  # a read-only index folder still searches; it rebuilds in every new process
    return built
