"""The bundled sentence embedding model, loaded from its package folder only.

HF_HUB_OFFLINE is forced before sentence-transformers is imported so a missing
file fails at once instead of trying a model hub this machine cannot reach.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["Embedder", "get_embedder"]

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # transformers draws a "Loading weights" bar otherwise


class Embedder:
    """Thin wrapper: normalised float32 vectors and exact token counts for chunking."""

    def __init__(self, model_path: Path, batch_size: int = 32, threads: int = 1) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        self.model = SentenceTransformer(str(model_path), device="cpu")
        self.batch_size = batch_size
        self.max_tokens = int(self.model.max_seq_length)
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(
                texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
            )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=False)["input_ids"])

    @property
    def dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())


@lru_cache(maxsize=4)
def get_embedder(model_path: Path, batch_size: int = 32, threads: int = 1) -> Embedder:
    """One model per process: loading it costs seconds and ~100 MB."""
    return Embedder(model_path, batch_size, threads)
