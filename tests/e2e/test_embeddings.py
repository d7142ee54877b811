"""The two runtimes of the bundled embedding model: the ONNX export (made by setup.sh) and torch give the same
vectors and the same token counts, so an index built by one is searched by the other unchanged; the int8
export gives close vectors and the same token counts."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from assistant.config import BUNDLED_CORPUS, Settings
from assistant.embeddings import INT8_FILE, ONNX_FILE, Embedder, OnnxEmbedder, get_embedder
from assistant.errors import ConfigError
from assistant.loaders import load_sources
from assistant.resources import embedding_model_path
from assistant.text import split_sentences

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def model_path():
    path = embedding_model_path(Settings(_env_file=None))
    for export in (ONNX_FILE, INT8_FILE):
        if not (path / export).is_file():
            pytest.fail(f"no export at {path / export}: run `python -m assistant.embeddings` (setup.sh does)")
    return path


@pytest.fixture(scope="module")
def corpus_texts() -> list[str]:
    papers = load_sources([str(BUNDLED_CORPUS)]).papers
    sentences = [sentence for paper in papers[:60] for sentence in split_sentences(paper.text)]
    return sentences + [paper.text for paper in papers[:40]]  # whole abstracts too: some pass the 256-token cut


def test_onnx_and_torch_give_the_same_vectors_and_token_counts(model_path, corpus_texts):
    torch_side, onnx_side = Embedder(model_path), OnnxEmbedder(model_path)
    assert (onnx_side.max_tokens, onnx_side.dimension) == (torch_side.max_tokens, torch_side.dimension)
    assert [onnx_side.count_tokens(t) for t in corpus_texts] == [torch_side.count_tokens(t) for t in corpus_texts]
    assert any(torch_side.count_tokens(t) > torch_side.max_tokens for t in corpus_texts)  # truncation is exercised
    a, b = torch_side.encode(corpus_texts), onnx_side.encode(corpus_texts)
    assert a.shape == b.shape and a.dtype == b.dtype == np.float32
    assert float((a * b).sum(axis=1).min()) >= 0.99999
    assert onnx_side.encode([]).shape == (0, onnx_side.dimension)


def test_int8_vectors_stay_close_to_the_float_ones_and_count_the_same_tokens(model_path, corpus_texts):
    """Close, not equal: which is why an index records its precision. 0.97 is far below what a sound per-channel
    quantisation gives (least ~0.985 at set-up) and far above what a broken one does."""
    float_side, int8_side = OnnxEmbedder(model_path), OnnxEmbedder(model_path, precision="int8")
    assert int8_side.precision == "int8" and float_side.precision == "fp32"
    assert [int8_side.count_tokens(t) for t in corpus_texts] == [float_side.count_tokens(t) for t in corpus_texts]
    cosines = (float_side.encode(corpus_texts) * int8_side.encode(corpus_texts)).sum(axis=1)
    assert float(cosines.min()) >= 0.97 and float(cosines.mean()) >= 0.99
    assert float(cosines.max()) < 0.99999  # really the quantised model, not the float file again


def test_the_backend_setting_chooses_the_runtime(model_path, tmp_path):
    assert isinstance(get_embedder(model_path, 32, 1, "auto"), OnnxEmbedder)  # the export exists
    assert isinstance(get_embedder(model_path, 32, 1, "torch"), Embedder)
    without_export = tmp_path / "model"
    shutil.copytree(model_path, without_export, ignore=shutil.ignore_patterns("onnx"))
    assert isinstance(get_embedder(without_export, 32, 1, "auto"), Embedder)
    with pytest.raises(ConfigError, match="no ONNX export .* run `python -m assistant.embeddings`"):
        get_embedder(without_export, 32, 1, "onnx")
    assert get_embedder(model_path, 32, 1, "auto", 0, "int8").precision == "int8"
    with pytest.raises(ConfigError, match="int8 vectors come from ONNX Runtime, not torch"):
        get_embedder(model_path, 32, 1, "torch", 0, "int8")
    with pytest.raises(ConfigError, match="no int8 export .* run `python -m assistant.embeddings`"):
        get_embedder(without_export, 32, 1, "auto", 0, "int8")


@pytest.mark.parametrize(("runtime", "least_cosine"), [(OnnxEmbedder, 0.99999), (Embedder, 0.99999), ("int8", 0.97)])
def test_indexing_with_every_core_gives_the_query_encoders_vectors_in_the_order_given(model_path, corpus_texts,
                                                                                     runtime, least_cosine):
    """`encode_bulk` (what ingest uses: more threads, texts batched by length) must give the vectors `encode`
    gives one text at a time, in the caller's order, and leave the query encoder's threads as they were.
    int8 quantises each layer's input with one scale for the whole batch, so a text's vector moves with its
    batchmates by as much as int8 moves it from the float one (least ~0.98): close, not equal."""
    embedder = (OnnxEmbedder(model_path, batch_size=8, threads=1, bulk_threads=2, precision="int8")
                if runtime == "int8" else runtime(model_path, batch_size=8, threads=1, bulk_threads=2))
    texts = corpus_texts[:40] + corpus_texts[-8:]  # short sentences and whole abstracts, mixed
    bulk = embedder.encode_bulk(texts)
    one_by_one = np.vstack([embedder.encode([text]) for text in texts])
    assert bulk.shape == one_by_one.shape
    assert float((bulk * one_by_one).sum(axis=1).min()) >= least_cosine
    assert list((bulk @ one_by_one.T).argmax(axis=1)) == list(range(len(texts)))  # each its own text's vector
    assert embedder.encode_bulk([]).shape == (0, embedder.dimension)
    if runtime is Embedder:
        import torch

        assert torch.get_num_threads() == 1


def test_word_pieces_come_from_the_same_pass_and_agree_across_runtimes(model_path, corpus_texts):
    """`encode_with_tokens` gives `encode`'s vectors and, per text, one unit vector per word piece (special tokens
    left out, the 256-token cut kept); torch and ONNX read each piece alike, within int8 steps."""
    texts = corpus_texts[:20] + corpus_texts[-3:]
    torch_side, onnx_side = Embedder(model_path), OnnxEmbedder(model_path)
    results = {}
    for name, embedder in (("torch", torch_side), ("onnx", onnx_side)):
        vectors, pieces = embedder.encode_with_tokens(texts)
        assert float((vectors * embedder.encode(texts)).sum(axis=1).min()) >= 0.99999
        bulk_vectors, bulk_pieces = embedder.encode_with_tokens(texts, bulk=True)
        assert float((bulk_vectors * vectors).sum(axis=1).min()) >= 0.99999
        assert [p.ids.tolist() for p in bulk_pieces] == [p.ids.tolist() for p in pieces]
        for text, piece in zip(texts, pieces, strict=True):
            assert piece.ids.tolist() == embedder.token_ids(text)[:embedder.max_tokens - 2]
            assert np.linalg.norm(piece.vectors, axis=1) == pytest.approx(np.ones(len(piece.ids)), abs=0.01)
        results[name] = pieces
    for a, b in zip(results["torch"], results["onnx"], strict=True):
        assert float((a.vectors * b.vectors).sum(axis=1).min()) >= 0.99
    assert onnx_side.encode_with_tokens([])[0].shape == (0, onnx_side.dimension)
    asked = "Which MRI dataset, of 5.2 million volumes, was used?"
    wordless = {i for i in torch_side.token_ids(asked) if i in torch_side.wordless_ids}
    assert torch_side.wordless_ids == onnx_side.wordless_ids
    assert len(wordless) == 3  # ",", "." and "?"; the words and digits are not
