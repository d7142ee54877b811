"""Evaluation suite: gold data, metrics, baselines, runner and report for `assistant eval`.

The deterministic tier (lexical support check, exact string and number
matching) gates CI; the optional LLM judge is reported beside it, never gated on.
"""

from .gold import EvalItem, SupportPair, load_items, load_support_pairs
from .metrics import METRICS, Context, Metric, Record, metric, score_record, summarise

__all__ = [
    "EvalItem", "SupportPair", "load_items", "load_support_pairs",
    "METRICS", "Context", "Metric", "Record", "metric", "score_record", "summarise",
]
