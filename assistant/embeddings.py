"""The bundled sentence embedding model, loaded from its package folder only.

Two runtimes give the same vectors (cosine >= 0.99999, checked when the export is made): ONNX Runtime over
`<model>/onnx/model.onnx`, exported once at set-up from the bundled weights (`python -m assistant.embeddings`),
which loads in about 0.4 s without importing torch; and sentence-transformers on torch (about 5 s to load), used
when no export exists or `ASSISTANT_EMBEDDING_BACKEND=torch`. Both tokenise with the model's own tokenizer.json,
so token counts, and therefore chunks, are identical.

Set-up also quantises the export's weights to int8 (`<model>/onnx/model_qint8.onnx`, per channel): about twice
as fast to index with, and vectors within cosine ~0.99 of the float ones, close but not equal, so an index
records which precision made its vectors (`Settings.collection_name`) and a query is always encoded with it.
int8 quantises each layer's input with one scale per batch, so a text's vector also moves (as much) with the
texts batched beside it; answers measured the same on the dev questions either way (README, session 24).

Besides one vector per text, `encode_with_tokens` gives, from the same pass, each word piece's vector as the
encoder read it in context (`TokenVectors`): answer selection matches a question's pieces to a sentence's.

HF_HUB_OFFLINE is forced before sentence-transformers is imported so a missing
file fails at once instead of trying a model hub this machine cannot reach.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

import numpy as np

__all__ = ["Embedder", "OnnxEmbedder", "TokenVectors", "get_embedder", "export_onnx", "quantize_int8",
           "int8_available", "wordless_pieces", "ONNX_FILE", "INT8_FILE", "Precision"]

ONNX_FILE = Path("onnx") / "model.onnx"  # where sentence-transformers itself looks for an ONNX export
INT8_FILE = Path("onnx") / "model_qint8.onnx"
_PARITY = 0.99999  # least cosine between the two runtimes' vectors for an export to be kept
# an int8 file is kept only if its vectors stay this close to the float ones on the probe texts: quantisation
# that broke the model (a bad operator, a wrong axis) lands far below, a sound one above 0.97 on every text
_INT8_LEAST_COSINE = 0.95
Precision = Literal["fp32", "int8"]

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # transformers draws a "Loading weights" bar otherwise


@dataclass(frozen=True)
class TokenVectors:
    """One text's word pieces as the encoder read them in context: vocabulary `ids` and unit vectors (one row per
    piece, special tokens left out), held as int8 `steps` of one `scales` entry per row: a copy kept on disk
    (`vector_cache`) is exactly what the encoder gave, at a quarter of float32's size."""

    ids: np.ndarray  # int32, (pieces,)
    steps: np.ndarray  # int8, (pieces, dimension)
    scales: np.ndarray  # float32, (pieces,)

    @classmethod
    def quantised(cls, ids, hidden: np.ndarray) -> TokenVectors:
        """From the encoder's hidden states of the pieces: unit length, then the largest magnitude of a row is
        127 steps."""
        unit = hidden / np.clip(np.linalg.norm(hidden, axis=1, keepdims=True), 1e-12, None)
        scales = (np.clip(np.abs(unit).max(axis=1), 1e-12, None) / 127.0).astype(np.float32)
        steps = np.round(unit / scales[:, None]).astype(np.int8)
        return cls(np.asarray(ids, dtype=np.int32), steps, scales)

    @property
    def vectors(self) -> np.ndarray:
        return self.steps * self.scales[:, None]


class Embedder:
    """Thin wrapper: normalised float32 vectors and exact token counts for chunking."""

    precision: Precision = "fp32"

    def __init__(self, model_path: Path, batch_size: int = 32, threads: int = 1, bulk_threads: int = 0) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        self.model = SentenceTransformer(str(model_path), device="cpu")
        self.batch_size = batch_size
        self.max_tokens = int(self.model.max_seq_length)
        self.threads = threads
        self.bulk_threads = bulk_threads or os.cpu_count() or 1
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self._encode(texts)

    def encode_bulk(self, texts: list[str]) -> np.ndarray:
        """`encode` with `bulk_threads` threads: indexing is a batch job that may use the whole machine, while
        a query keeps `threads` so it does not fight the chat model for the cores."""
        with self._threads(self.bulk_threads):
            return self._encode(texts)

    @contextmanager
    def _threads(self, count: int):
        """The model held with `count` torch threads, back to the query's `threads` after."""
        import torch

        with self._lock:
            torch.set_num_threads(count)
            try:
                yield
            finally:
                torch.set_num_threads(self.threads)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                    show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def encode_with_tokens(self, texts: list[str], bulk: bool = False) -> tuple[np.ndarray, list[TokenVectors]]:
        """`encode` (or `encode_bulk`) and each text's `TokenVectors`, from the same pass."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        special = set(self.model.tokenizer.all_special_ids)
        with self._threads(self.bulk_threads if bulk else self.threads):
            outputs = self.model.encode(texts, batch_size=self.batch_size, output_value=None,
                                        normalize_embeddings=True, show_progress_bar=False)
        pooled = np.stack([o["sentence_embedding"].float().numpy() for o in outputs]).astype(np.float32)
        tokens = []
        for o in outputs:
            ids = o["input_ids"][o["attention_mask"].bool()].numpy()
            keep = np.array([i not in special for i in ids], dtype=bool)
            hidden = o["token_embeddings"][:len(ids)].float().numpy()
            tokens.append(TokenVectors.quantised(ids[keep], hidden[keep]))
        return pooled, tokens

    def count_tokens(self, text: str) -> int:
        return len(self.token_ids(text))

    def token_ids(self, text: str) -> list[int]:
        """The text's word-piece ids, whole (no truncation, no special tokens)."""
        return list(self.model.tokenizer(text, add_special_tokens=False)["input_ids"])

    @cached_property
    def wordless_ids(self) -> frozenset[int]:
        """The pieces that hold no letter or digit ("?", ","): `wordless_pieces`."""
        return wordless_pieces(self.model.tokenizer.get_vocab())

    @property
    def dimension(self) -> int:
        named = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(named())  # renamed in sentence-transformers 5


class OnnxEmbedder:
    """The same encoder through ONNX Runtime: mean pooling over the last hidden state, then unit length;
    `precision="int8"` runs the quantised export."""

    def __init__(self, model_path: Path, batch_size: int = 32, threads: int = 1, bulk_threads: int = 0,
                 precision: Precision = "fp32") -> None:
        from tokenizers import Tokenizer

        self.precision = precision
        self.max_tokens = _max_seq_length(model_path)
        self.dimension = int(json.loads((model_path / "config.json").read_text(encoding="utf-8"))["hidden_size"])
        self.batch_size = batch_size
        self._counter = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self._counter.no_truncation()
        self._counter.no_padding()
        self._tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self._tokenizer.enable_truncation(self.max_tokens)
        self._tokenizer.no_padding()
        self._pad_id = self._tokenizer.token_to_id("[PAD]") or 0
        self._special_ids = {i for i, token in self._tokenizer.get_added_tokens_decoder().items() if token.special}
        self._model_file = str(model_path / (INT8_FILE if precision == "int8" else ONNX_FILE))
        self._session = _onnx_session(self._model_file, threads)
        self._bulk_threads = bulk_threads or os.cpu_count() or 1
        self._bulk_session = self._session if self._bulk_threads == threads else None
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        """Texts are batched by length (as sentence-transformers does), so a short sentence is not padded to
        the longest text of the call; vectors come back in the order given."""
        return self._encode(texts, self._session)

    def encode_bulk(self, texts: list[str]) -> np.ndarray:
        """`encode` on a second session with `bulk_threads` threads (made on first use): indexing is a batch
        job that may use the whole machine, while a query keeps `threads` so it does not fight the chat model."""
        return self._encode(texts, self._bulk())

    def _bulk(self):
        """The bulk session, made on first use."""
        with self._lock:
            if self._bulk_session is None:
                self._bulk_session = _onnx_session(self._model_file, self._bulk_threads)
        return self._bulk_session

    def encode_with_tokens(self, texts: list[str], bulk: bool = False) -> tuple[np.ndarray, list[TokenVectors]]:
        """`encode` (or `encode_bulk`) and each text's `TokenVectors`, from the same pass."""
        tokens: list[TokenVectors | None] = [None] * len(texts)
        vectors = self._encode(texts, self._bulk() if bulk else self._session, tokens)
        return vectors, tokens

    def _encode(self, texts: list[str], session, tokens: list | None = None) -> np.ndarray:
        """Pooled vectors; with `tokens` (a list as long as `texts`), each text's `TokenVectors` filled in too."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            token_ids = [e.ids for e in self._tokenizer.encode_batch(texts)]
            order = np.argsort([-len(ids) for ids in token_ids], kind="stable")
            vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
            for start in range(0, len(texts), self.batch_size):
                batch = order[start:start + self.batch_size]
                pooled, hidden = self._encode_batch(session, [token_ids[i] for i in batch])
                vectors[batch] = pooled
                if tokens is not None:
                    for row, i in enumerate(batch):
                        keep = [j for j, t in enumerate(token_ids[i]) if t not in self._special_ids]
                        tokens[i] = TokenVectors.quantised([token_ids[i][j] for j in keep], hidden[row, keep])
        return vectors

    def _encode_batch(self, session, token_ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Pooled unit vectors and the last hidden state of one padded batch."""
        width = max(len(ids) for ids in token_ids)
        ids = np.full((len(token_ids), width), self._pad_id, dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, tokens in enumerate(token_ids):
            ids[row, :len(tokens)] = tokens
            mask[row, :len(tokens)] = 1
        hidden = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                          "token_type_ids": np.zeros_like(ids)})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        unit = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return unit.astype(np.float32), hidden

    def count_tokens(self, text: str) -> int:
        return len(self.token_ids(text))

    def token_ids(self, text: str) -> list[int]:
        """The text's word-piece ids, whole (no truncation, no special tokens)."""
        return self._counter.encode(text, add_special_tokens=False).ids

    @cached_property
    def wordless_ids(self) -> frozenset[int]:
        """The pieces that hold no letter or digit ("?", ","): `wordless_pieces`."""
        return wordless_pieces(self._counter.get_vocab())


def wordless_pieces(vocabulary: dict[str, int]) -> frozenset[int]:
    """Ids of the vocabulary's pieces without a letter or digit: punctuation says nothing of a question's
    subject, and a "?" that no statement contains would otherwise read as the question's rarest, unmatched word."""
    return frozenset(i for piece, i in vocabulary.items() if not any(c.isalnum() for c in piece.removeprefix("##")))


def _onnx_session(model_file: str, threads: int):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(model_file, options, providers=["CPUExecutionProvider"])


def _max_seq_length(model_path: Path) -> int:
    config = model_path / "sentence_bert_config.json"
    return int(json.loads(config.read_text(encoding="utf-8"))["max_seq_length"]) if config.exists() else 256


def _mean_pooled_and_normalised(model_path: Path) -> bool:
    """The ONNX path re-implements pooling: only the mean-pooled, normalised layout (the bundled model's)."""
    try:
        modules = json.loads((model_path / "modules.json").read_text(encoding="utf-8"))
        pooling = json.loads((model_path / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    return kinds == ["Transformer", "Pooling", "Normalize"] and pooling.get("pooling_mode_mean_tokens") is True


def int8_available(model_path: Path, backend: str = "auto") -> bool:
    """Can this backend run the int8 export (ONNX Runtime only, and set-up made the file)?"""
    return backend != "torch" and (model_path / INT8_FILE).is_file()


@lru_cache(maxsize=4)
def get_embedder(model_path: Path, batch_size: int = 32, threads: int = 1, backend: str = "auto",
                 bulk_threads: int = 0, precision: Precision = "fp32"):
    """One model per process: the ONNX export when there is one (or `backend="onnx"`), else torch.
    `bulk_threads` (0: every core) encode what is indexed; `threads` encode queries. `precision="int8"`
    needs the int8 export and ONNX Runtime."""
    from .errors import ConfigError

    if precision == "int8":
        if backend == "torch":
            raise ConfigError("int8 vectors come from ONNX Runtime, not torch",
                              "set ASSISTANT_EMBEDDING_PRECISION=fp32 or ASSISTANT_EMBEDDING_BACKEND=auto")
        if not (model_path / INT8_FILE).is_file():
            raise ConfigError(f"no int8 export at {model_path / INT8_FILE}",
                              "run `python -m assistant.embeddings` (setup.sh does), or set "
                              "ASSISTANT_EMBEDDING_PRECISION=fp32")
        return OnnxEmbedder(model_path, batch_size, threads, bulk_threads, precision="int8")
    if backend == "onnx" or (backend == "auto" and (model_path / ONNX_FILE).is_file()):
        if not (model_path / ONNX_FILE).is_file():
            raise ConfigError(f"no ONNX export at {model_path / ONNX_FILE}",
                              "run `python -m assistant.embeddings` (setup.sh does), or set "
                              "ASSISTANT_EMBEDDING_BACKEND=torch")
        return OnnxEmbedder(model_path, batch_size, threads, bulk_threads)
    return Embedder(model_path, batch_size, threads, bulk_threads)


def export_onnx(model_path: Path, probe_texts: list[str]) -> tuple[Path | None, str]:
    """Export the model's transformer to `<model>/onnx/model.onnx` from the local weights (no download), keep it
    only if its vectors match torch's on `probe_texts`; (path or None, what happened)."""
    if not _mean_pooled_and_normalised(model_path):
        return None, "the model is not mean-pooled and normalised; the torch path stays in use"
    import torch

    torch_embedder = Embedder(model_path)
    transformer = torch_embedder.model[0].auto_model.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                    token_type_ids=token_type_ids).last_hidden_state

    target = model_path / ONNX_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    sample = torch_embedder.model.tokenizer(["a sentence", "another, longer sentence"], padding=True,
                                            return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "tokens"} for name in names + ["last_hidden_state"]}
    with torch.no_grad():
        torch.onnx.export(LastHiddenState(), tuple(sample[n] for n in names), str(target), input_names=names,
                          output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17, dynamo=False)
    cosine = float((torch_embedder.encode(probe_texts) * OnnxEmbedder(model_path).encode(probe_texts)).sum(1).min())
    if cosine < _PARITY:
        target.unlink()
        return None, f"the export's vectors differ from torch's (least cosine {cosine:.6f}); removed it"
    return target, f"exported {target} (least cosine to torch {cosine:.7f} on {len(probe_texts)} texts)"


def quantize_int8(model_path: Path, probe_texts: list[str]) -> tuple[Path | None, str]:
    """Quantise the float export's weights to int8, one scale per output channel (one per tensor gave mean
    cosine 0.956 to the float vectors instead of 0.993), and keep the file only if its vectors stay close to the
    float ones on `probe_texts`."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = model_path / INT8_FILE
    # the quantiser advises its pre-processing step on the root logger; that step fails on this export
    # (incomplete shape inference), and the quantisation is sound without it
    logging.disable(logging.WARNING)
    try:
        quantize_dynamic(str(model_path / ONNX_FILE), str(target), per_channel=True, weight_type=QuantType.QInt8)
    finally:
        logging.disable(logging.NOTSET)
    float_vectors = OnnxEmbedder(model_path).encode(probe_texts)
    int8_vectors = OnnxEmbedder(model_path, precision="int8").encode(probe_texts)
    cosines = (float_vectors * int8_vectors).sum(1)
    if float(cosines.min()) < _INT8_LEAST_COSINE:
        target.unlink()
        return None, f"the int8 vectors differ too much from the float ones (least cosine {cosines.min():.4f}); " \
                     "removed it, float vectors stay in use"
    return target, (f"quantised {target} (cosine to the float vectors: mean {cosines.mean():.4f}, least "
                    f"{cosines.min():.4f} on {len(probe_texts)} texts)")


def main() -> None:
    """`python -m assistant.embeddings`: make the ONNX export of the configured model and its int8
    quantisation (idempotent)."""
    import sys

    from .resources import embedding_model_path, load_settings

    model_path = embedding_model_path(load_settings())
    if (model_path / ONNX_FILE).is_file() and (model_path / INT8_FILE).is_file():
        print(f"ONNX and int8 exports present: {model_path / ONNX_FILE}, {model_path / INT8_FILE}")
        return
    probe = [line.strip() for line in _probe_lines() if len(line.strip()) > 40][:200]
    if (model_path / ONNX_FILE).is_file():
        print(f"ONNX export present: {model_path / ONNX_FILE}")
    else:
        try:
            path, message = export_onnx(model_path, probe)
        except Exception as exc:  # the torch exporter's many failure types: the torch path keeps working
            path, message = None, f"ONNX export failed ({type(exc).__name__}: {exc}); the torch path stays in use"
        print(message, file=sys.stdout if path else sys.stderr)
        if path is None:
            return
    if (model_path / INT8_FILE).is_file():
        print(f"int8 export present: {model_path / INT8_FILE}")
        return
    try:
        path, message = quantize_int8(model_path, probe)
    except Exception as exc:  # the quantiser's failure types: the float export keeps working
        (model_path / INT8_FILE).unlink(missing_ok=True)
        path, message = None, f"int8 quantisation failed ({type(exc).__name__}: {exc}); float vectors stay in use"
    print(message, file=sys.stdout if path else sys.stderr)


def _probe_lines() -> list[str]:
    from .config import BUNDLED_CORPUS

    return [line for file in sorted(BUNDLED_CORPUS.glob("*.txt")) for line in
            file.read_text(encoding="utf-8").splitlines()]


if __name__ == "__main__":
    main()
