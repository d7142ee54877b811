"""Two hand-written papers the verifier and metric tests share: MedReason (quoted from the bundled
corpus) and Lichen Atlas (invented, unrelated), so "cites the wrong paper" has a real wrong paper."""

from __future__ import annotations

from assistant.models import Paper

MEDREASON = Paper(
    paper_id="medreason-eliciting-factual-medical-reasoning-steps-in-llms-via-knowledge-graphs",
    title="MedReason: Eliciting Factual Medical Reasoning Steps in LLMs via Knowledge Graphs",
    abstract=(
        "Our pipeline generates detailed reasoning for various medical questions from 7 medical datasets, "
        "resulting in a dataset of 32,682 question-answer pairs, each with detailed, step-by-step explanations. "
        "Our top-performing model, MedReason-8B, outperforms the Huatuo-o1-8B, a state-of-the-art medical "
        "reasoning model, by up to 4.2% on the clinical benchmark MedBullets."
    ),
)
LICHEN = Paper(
    paper_id="lichen-atlas-a-benchmark-for-symbiotic-growth-forecasting",
    title="Lichen Atlas: A Benchmark for Symbiotic Growth Forecasting",
    abstract="Lichen Atlas is a benchmark of 1,250 time-lapse sequences of lichen colonies photographed on granite.",
)
