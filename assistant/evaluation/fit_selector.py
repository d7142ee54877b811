"""Fit the answer selector (`assistant/data/selector.json`) on gold questions outside the sealed test split,
cross-validated by paper.

    python -m assistant.evaluation.fit_selector [--out assistant/data/selector.json] \
        [--cache eval-runs/selector-data.pkl]

Training data: every split a fit may read (`training_items`), each gold set on its own corpus: the dev split of
every batch, the test split of every batch but the sealed newest one (`gold.sealed_batch`), and the first Daily
Papers set whole, as it was read while tuning anyway. The sealed test split is never read here. A candidate
sentence is labelled right when it is from the gold paper and carries an accepted answer (or is one of the gold
sentences); every candidate of an unanswerable question is wrong. A question is answered right when its best
candidate is right, or its runner-up is right and the answer quotes it beside the best (`shows_runner_up`).
Sentences are ordered by a pairwise linear ranker plus gradient-boosted ranking trees (LightGBM's LambdaMART),
exported as plain lists so that answering reads them without LightGBM (`selection.TreeEnsemble`).
Reported figures are out-of-fold predictions of `GroupKFold` by paper, so no question is scored by a model that
saw its paper. Uses scikit-learn (a core dependency) and LightGBM (the `dev` extra: only fitting needs it).
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

import numpy as np

from ..api import ResearchAssistant
from ..bagofwords import export
from ..resources import load_settings
from ..selection import (
    ANSWER_FEATURES, RELEVANCE_FEATURES, SELECTOR_PATH, SENTENCE_FEATURES, TermWeights, TreeEnsemble, answer_features,
    decision_terms, featurise, question_type, relevance_features, shows_runner_up,
)
from .corpora import CORPORA
from .gold import EvalItem, FactItem, UnanswerableItem, batch_of, gold_files, read_jsonl, sealed_batch
from .metrics import answer_present, overlaps_gold

_RETRIEVE_K = 24
_FOLDS = 5
_WRONG_COST = 2.0  # one wrong answer shown costs as much as two right answers gain: a precision-first policy
_DECISION_PRECISION = 0.9
_MAX_PAIRS = 60  # right/wrong sentence pairs per question for the ranker
_BOOST_TREES = 400
T = TypeVar("T")


@dataclass
class Question:
    corpus: str  # the gold set: "daily", "daily:s12", ...
    id: str
    group: str
    qtype: str
    answerable: bool
    gold_paper: str | None
    near_paper: str | None
    features: list[dict]
    labels: list[int]
    papers: list[str]


def training_items(corpus: str) -> list[tuple[EvalItem, list[str]]]:
    """(item, training sentences) of every split a fit may read: dev everywhere, and the test split of every batch
    but the sealed one, since a test split that has been run and read is no longer a test. Fresh-style questions
    are what the fit lacks most: adding the spent test splits raised the right answers on the same 962 dev
    questions from 338 to 355 for 6 more wrong ones (out of fold, 5 seeded fold draws, session 20). Training
    sentences are the gold `evidence` only (for PubMedQA, the conclusion: the best answer to a yes/no research
    question)."""
    gold_dir = CORPORA[corpus].gold_dir
    whole = corpus == "daily-v1"
    sealed = sealed_batch(gold_dir)

    def readable(split: str, path: Path) -> bool:
        return whole or split == "dev" or batch_of(path.stem) != sealed

    items = []
    for path in gold_files(gold_dir, "facts"):
        for f in read_jsonl(path, FactItem):
            if readable(f.split, path):
                items.append((EvalItem(id=f.id, suite="facts", question=f.question, split=f.split,
                                       kind=f.kind or f.style, answers=f.answers, paper_id=f.paper_id,
                                       decision=f.decision, evidence=f.evidence, gold_file=path.stem), f.evidence))
    for path in gold_files(gold_dir, "unanswerable"):
        for u in read_jsonl(path, UnanswerableItem):
            if readable(u.split, path):
                items.append((EvalItem(id=u.id, suite="unanswerable", question=u.question, split=u.split,
                                       kind=u.kind, paper_id=u.near_paper_id, gold_file=path.stem), []))
    return items


def gold_set(corpus: str, gold_file: str) -> str:
    """"daily", "daily:s12": each batch of gold questions (`facts_s12.jsonl` with `unanswerable_s12.jsonl`)
    weighs the same in the fit, so the largest (for PubMedQA, the dataset's own yes/no questions) does not
    decide alone how questions are read. Other files (`unanswerable_written.jsonl`) belong to the first batch."""
    batch = batch_of(gold_file)
    return corpus if batch == "first" else f"{corpus}:{batch}"


def _label(item: EvalItem, gold_sentences: list[str], paper_id: str, text: str) -> int:
    if not item.answerable or paper_id != item.paper_id:
        return 0
    if item.answers:
        return int(answer_present(item, text))
    return int(overlaps_gold(text, gold_sentences))


def collect(corpora: list[str], known: dict[tuple[str, str], Question] | None = None) -> list[Question]:
    """Every training question featurised; those in `known` (by gold set and id, from an earlier collection with
    the same feature code) are taken as they are, so adding a gold batch costs only its own questions."""
    questions = []
    known = known or {}
    base = load_settings()
    for corpus in corpora:
        ra = ResearchAssistant(settings=CORPORA[corpus].settings_for(base))
        papers = ra.index.papers()
        weights = TermWeights(papers, ra.embedder)
        for item, gold_sentences in training_items(corpus):
            kept = known.get((gold_set(corpus, item.gold_file), item.id))
            if kept is not None:
                questions.append(kept)
                continue
            hits = ra.retriever.search_chunks(item.question, _RETRIEVE_K)
            profile, found = featurise(item.question, hits, ra.embedder, weights, ra.settings.evidence_papers)
            if not found:
                continue
            near = item.paper_id if not item.answerable else None
            questions.append(Question(
                corpus=gold_set(corpus, item.gold_file), id=item.id, group=item.paper_id or item.id,
                qtype=question_type(profile),
                answerable=item.answerable, gold_paper=item.paper_id if item.answerable else None, near_paper=near,
                features=[c.features for c in found], papers=[c.paper.paper_id for c in found],
                labels=[_label(item, gold_sentences, c.paper.paper_id, c.text) for c in found],
            ))
        asked = sum(q.corpus.split(":")[0] == corpus for q in questions)
        print(f"{corpus}: {asked} training questions", file=sys.stderr)
    return questions


def _matrix(rows: list[dict], names: list[str]) -> np.ndarray:
    return np.array([[row[n] for n in names] for row in rows], dtype=float)


def _standardisation(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean, scale) of each column; a constant column keeps scale 1."""
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    return scaler.mean_, np.where(scaler.scale_ > 0, scaler.scale_, 1.0)


def _fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None, c: float = 1.0):
    from sklearn.linear_model import LogisticRegression

    mean, scale = _standardisation(x)
    model = LogisticRegression(C=c, max_iter=3000).fit((x - mean) / scale, y, sample_weight=weight)
    return mean, scale, model


def _fit_ranker(x: np.ndarray, y: np.ndarray, row_question: np.ndarray, weight: np.ndarray):
    """Sentence weights fitted on pairs (a right and a wrong candidate of one question, up to `_MAX_PAIRS`
    drawn with a fixed seed): what decides is which sentence of a question ranks first, not how sure a sentence
    is on its own. Out of fold by paper, the right sentence ranks first for 78.4% of the answerable questions
    against 76.0% for the pointwise model (session 25, 2320 questions); the pointwise model still gives the
    probabilities the answer model reads. Each question weighs its corpus weight, shared by its pairs."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = _standardisation(x)
    z = (x - mean) / scale
    rng = np.random.default_rng(0)
    differences, labels, pair_weight = [], [], []
    for qi in np.unique(row_question):
        rows = np.where(row_question == qi)[0]
        pairs = [(p, n) for p in rows[y[rows] == 1] for n in rows[y[rows] == 0]]
        if len(pairs) > _MAX_PAIRS:
            pairs = [pairs[i] for i in rng.choice(len(pairs), _MAX_PAIRS, replace=False)]
        for right, wrong in pairs:
            differences += [z[right] - z[wrong], z[wrong] - z[right]]
            labels += [1, 0]
            pair_weight += [weight[rows].sum() / len(pairs)] * 2
    pair_weight = np.array(pair_weight)
    model = LogisticRegression(max_iter=3000, fit_intercept=False).fit(
        np.array(differences), labels, sample_weight=pair_weight * len(pair_weight) / pair_weight.sum())
    return mean, scale, model


def _score(fitted, x: np.ndarray) -> np.ndarray:
    mean, scale, model = fitted
    return ((x - mean) / scale) @ model.coef_[0]


def _fit_boost(x: np.ndarray, y: np.ndarray, row_question: np.ndarray):
    """Gradient-boosted ranking trees on the sentence signals (LambdaMART: each question's candidates are one
    list, and the trees learn to put a right sentence on top). They read interactions (a number question and a
    sentence with a bound number, a yes/no question and a last sentence) the linear models see only as sums.
    Every question counts once, whatever its gold set. Out of fold by paper (session 27, 2568 questions) a right
    sentence ranks first for 78.4% of answerable questions by the linear ranker alone, 79.4% with session 26's
    pointwise trees beside it and 81.5% with these (`_mix_weight`)."""
    from lightgbm import LGBMRanker

    if np.any(np.diff(row_question) < 0):
        raise ValueError("the rows of one question must be contiguous, in question order")
    _, per_question = np.unique(row_question, return_counts=True)
    return LGBMRanker(
        objective="lambdarank", n_estimators=_BOOST_TREES, learning_rate=0.03, num_leaves=15, min_child_samples=50,
        lambdarank_truncation_level=10, random_state=0, deterministic=True, force_row_wise=True, verbose=-1,
    ).fit(x, y, group=per_question)


def _mix_weight(rank: np.ndarray, boost: np.ndarray, y: np.ndarray, row_question: np.ndarray,
                weight: np.ndarray) -> float:
    """How much the trees' score counts beside the ranker's logit: a pairwise fit on their out-of-fold scores,
    so the mix is learned from questions neither model saw."""
    _, scale, model = _fit_ranker(np.column_stack([rank, boost]), y, row_question, weight)
    per_unit = model.coef_[0] / scale
    return float(per_unit[1] / per_unit[0])


def _export_boost(model, names: list[str], weight: float, probe: list[dict]) -> dict:
    """The trees as plain lists (`TreeEnsemble`), checked on the `probe` rows to score as LightGBM does."""
    trees = [_flat_tree(info["tree_structure"]) for info in model.booster_.dump_model()["tree_info"]]
    exported = {"features": names, "baseline": 0.0, "trees": trees, "weight": weight}
    expected = model.predict(_matrix(probe, names))
    if not np.allclose(TreeEnsemble(**exported).scores(probe), expected, atol=1e-6):
        raise RuntimeError("the exported trees do not score as LightGBM does: check its version")
    return exported


def _flat_tree(root: dict) -> dict:
    """One dumped LightGBM tree (nested nodes) as node lists; a row goes left when its value is <= the threshold,
    as LightGBM's numerical splits do (the signals are never missing)."""
    tree: dict[str, list] = {"feature": [], "threshold": [], "left": [], "right": [], "leaf": [], "value": []}

    def add(node: dict) -> int:
        at = len(tree["leaf"])
        leaf = "leaf_value" in node
        if not leaf and node["decision_type"] != "<=":
            raise RuntimeError(f"unexpected LightGBM split {node['decision_type']!r}")
        tree["feature"].append(0 if leaf else node["split_feature"])
        tree["threshold"].append(0.0 if leaf else float(node["threshold"]))
        tree["leaf"].append(leaf)
        tree["value"].append(float(node["leaf_value"]) if leaf else 0.0)
        tree["left"].append(0)
        tree["right"].append(0)
        if not leaf:
            tree["left"][at] = add(node["left_child"])
            tree["right"][at] = add(node["right_child"])
        return at

    add(root)
    return tree


def _corpus_weights(questions: list[Question], question_of_row: np.ndarray) -> np.ndarray:
    """Every gold set (`gold_set`) weighs the same in total and every question the same within it, so the
    largest set does not decide alone how a new corpus is read."""
    per_corpus = {c: sum(q.corpus == c for q in questions) for c in {q.corpus for q in questions}}
    rows_per_question = np.bincount(question_of_row, minlength=len(questions))
    weight = np.array([1.0 / (per_corpus[questions[qi].corpus] * rows_per_question[qi]) for qi in question_of_row])
    return weight * len(weight) / weight.sum()


def _predict(fitted, x: np.ndarray) -> np.ndarray:
    mean, scale, model = fitted
    return model.predict_proba((x - mean) / scale)[:, 1]


def _export(fitted, names: list[str], threshold: float = 0.5) -> dict:
    mean, scale, model = fitted
    bias = float(model.intercept_[0]) if model.fit_intercept else 0.0
    return {"features": names, "mean": mean.tolist(), "scale": scale.tolist(),
            "weights": model.coef_[0].tolist(), "bias": bias, "threshold": threshold}


def _folds(groups: list[str]):
    from sklearn.model_selection import GroupKFold

    return GroupKFold(n_splits=_FOLDS).split(np.zeros(len(groups)), groups=groups)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


def fit(questions: list[Question]) -> tuple[dict, dict]:
    """Fit the models (sentence, P(a sentence answers); ranker and boost, which sentence ranks first; answer, on
    what an answer quotes; best, on the best sentence alone, for readers of one sentence; relevance); returns
    (exported models, cross-validated report)."""
    rows = [(qi, f, label) for qi, q in enumerate(questions) for f, label in zip(q.features, q.labels, strict=True)]
    x = _matrix([f for _, f, _ in rows], SENTENCE_FEATURES)
    y = np.array([label for _, _, label in rows])
    row_question = np.array([qi for qi, _, _ in rows])
    groups = [questions[qi].group for qi in row_question]

    weight = _corpus_weights(questions, row_question)
    oof, oof_rank, oof_boost = np.zeros(len(rows)), np.zeros(len(rows)), np.zeros(len(rows))
    for train, test in _folds(groups):
        oof[test] = _predict(_fit(x[train], y[train], weight[train]), x[test])
        oof_rank[test] = _score(_fit_ranker(x[train], y[train], row_question[train], weight[train]), x[test])
        oof_boost[test] = _fit_boost(x[train], y[train], row_question[train]).predict(x[test])
    mix = _mix_weight(oof_rank, oof_boost, y, row_question, weight)
    oof_rank = oof_rank + mix * oof_boost

    per_question = []
    for qi, q in enumerate(questions):
        idx = np.where(row_question == qi)[0]
        order = idx[np.argsort(-oof_rank[idx], kind="stable")]
        ranked = [q.features[i - idx[0]] for i in order]
        papers = [q.papers[i - idx[0]] for i in order]
        logits = [_logit(oof[i]) for i in order]
        top = order[0]
        runner_up = shows_runner_up(q.qtype, ranked, papers)
        per_question.append({
            "answer": answer_features(q.qtype, ranked, logits, papers, oof_rank[order].tolist()),
            "relevance": relevance_features(ranked, papers, logits),
            "top_right": int(y[top]),
            "answer_right": int(y[top] or (runner_up and y[order[1]])),
            "top_paper": q.papers[top - idx[0]],
            "cosine_right": int(y[idx[np.argmax(x[idx, 0])]]),
            "any_right": int(y[idx].any()),
        })
    qgroups = [q.group for q in questions]
    question_weight = _corpus_weights(questions, np.arange(len(questions)))
    xa = _matrix([p["answer"] for p in per_question], ANSWER_FEATURES)
    ya = np.array([p["answer_right"] for p in per_question])
    ybest = np.array([p["top_right"] for p in per_question])
    xr = _matrix([p["relevance"] for p in per_question], RELEVANCE_FEATURES)
    yr = np.array([int(p["top_paper"] in {q.gold_paper, q.near_paper}) for p, q in zip(per_question, questions)])
    oof_answer, oof_relevance = np.zeros(len(questions)), np.zeros(len(questions))
    for train, test in _folds(qgroups):
        oof_answer[test] = _predict(_fit(xa[train], ya[train], question_weight[train]), xa[test])
        if len(set(yr[train])) > 1:
            oof_relevance[test] = _predict(_fit(xr[train], yr[train], question_weight[train]), xr[test])
    threshold = _answer_threshold()
    report = _report(questions, per_question, oof_answer, threshold, oof_relevance, yr)
    boost = _fit_boost(x, y, row_question)
    models = {
        "sentence": _export(_fit(x, y, weight), SENTENCE_FEATURES),
        "ranker": _export(_fit_ranker(x, y, row_question, weight), SENTENCE_FEATURES),
        "boost": _export_boost(boost, SENTENCE_FEATURES, mix, [f for _, f, _ in rows[:2000]]),
        "answer": _export(_fit(xa, ya, question_weight), ANSWER_FEATURES, threshold),
        "best": _export(_fit(xa, ybest, question_weight), ANSWER_FEATURES, threshold),
        "relevance": _export(_fit(xr, yr, question_weight), RELEVANCE_FEATURES),
    }
    return models, report


def _answer_threshold() -> float:
    """Show an answer when P(right) >= cost / (1 + cost): then a right answer's gain outweighs `_WRONG_COST`
    times a wrong one's loss. Taken from the cost, not searched on the gold questions, so a small or unusual
    gold set cannot pull it to an extreme; the answer model is a logistic fit, so its probabilities are
    calibrated on the data it was fitted on."""
    return _WRONG_COST / (1 + _WRONG_COST)


def _report(questions, per_question, oof_answer, threshold, oof_relevance, yr) -> dict:
    out = {}
    for corpus in sorted({q.corpus for q in questions}) + ["all"]:
        sel = [i for i, q in enumerate(questions) if corpus in ("all", q.corpus)]
        answerable = [i for i in sel if questions[i].answerable]
        unanswerable = [i for i in sel if not questions[i].answerable]
        shown = [i for i in sel if oof_answer[i] >= threshold]
        right = [i for i in shown if per_question[i]["answer_right"]]
        out[corpus] = {
            "questions": len(sel), "answerable": len(answerable), "unanswerable": len(unanswerable),
            "top1_right_learned": _share([per_question[i]["top_right"] for i in answerable]),
            "top1_right_cosine": _share([per_question[i]["cosine_right"] for i in answerable]),
            "right_in_candidates": _share([per_question[i]["any_right"] for i in answerable]),
            "right_answers": _share([int(i in right) for i in answerable]),
            "answerable_abstained": _share([int(oof_answer[i] < threshold) for i in answerable]),
            "unanswerable_abstained": _share([int(oof_answer[i] < threshold) for i in unanswerable]),
            "wrong_shown_of_all": _share([int(i in shown and i not in right) for i in sel]),
            "relevance_accuracy": _share([int((oof_relevance[i] >= 0.5) == yr[i]) for i in sel]),
            "by_type": {
                t: _share([per_question[i]["top_right"] for i in answerable if questions[i].qtype == t])
                for t in sorted({questions[i].qtype for i in answerable})
            },
        }
    return out


def _share(values: list[int]) -> dict:
    return {"n": len(values), "share": round(float(np.mean(values)), 3) if values else None}


def fit_decision(corpus: str = "pubmedqa") -> tuple[dict | None, dict]:
    """yes / no / maybe from a conclusion sentence, fitted on the dataset's own PubMedQA questions that a fit may
    read (`training_items`)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    facts = [item for item, _ in training_items(corpus) if item.gold_file == "facts" and item.decision]
    if len(facts) < 20:
        return None, {"fitted": False, "reason": "fewer than 20 yes/no questions to fit on"}
    texts = [" ".join(f.evidence) for f in facts]
    labels = np.array([f.decision for f in facts])
    groups = [f.paper_id for f in facts]

    def model_for(train_texts, train_labels):
        vectoriser = TfidfVectorizer(analyzer=decision_terms, min_df=2, sublinear_tf=True)
        xt = vectoriser.fit_transform(train_texts)
        return vectoriser, LogisticRegression(C=4.0, max_iter=2000).fit(xt, train_labels)

    probabilities, classes = out_of_fold(texts, labels, groups, model_for)
    predicted, confidence = classes[probabilities.argmax(1)], probabilities.max(1)
    threshold = 1.0
    for t in sorted(set(np.round(confidence, 3))):
        stated = (confidence >= t) & np.isin(predicted, ["yes", "no"])
        if stated.sum() >= 5 and (predicted[stated] == labels[stated]).mean() >= _DECISION_PRECISION:
            threshold = float(t)
            break
    stated = (confidence >= threshold) & np.isin(predicted, ["yes", "no"])
    report = {
        "questions": len(facts), "accuracy_all": round(float((predicted == labels).mean()), 3),
        "threshold": threshold, "stated_share": round(float(stated.mean()), 3),
        "stated_precision": round(float((predicted[stated] == labels[stated]).mean()), 3) if stated.any() else None,
    }
    vectoriser, model = model_for(texts, labels)
    exported = {**export(vectoriser, model), "threshold": threshold}
    return exported, report


def out_of_fold(texts: list[str], labels: np.ndarray, groups: list[str], model_for) -> tuple[np.ndarray, np.ndarray]:
    """Each text's class probabilities from a bag-of-words model that never saw its group (`_folds`), and the
    classes in column order. `model_for(texts, labels)` returns a fitted (vectoriser, classifier)."""
    classes = np.unique(labels)
    probabilities = np.zeros((len(texts), len(classes)))
    for train, test in _folds(groups):
        vectoriser, model = model_for([texts[i] for i in train], labels[train])
        columns = np.searchsorted(classes, model.classes_)
        probabilities[np.ix_(test, columns)] = model.predict_proba(vectoriser.transform([texts[i] for i in test]))
    return probabilities, classes


def recall_by_class(labels: np.ndarray, predicted: np.ndarray, classes) -> dict:
    """For each of `classes` that occurs: how many there are and the share read as that class."""
    return {c: {"n": int((labels == c).sum()), "recall": round(float((predicted[labels == c] == c).mean()), 3)}
            for c in classes if (labels == c).any()}


def save_fitted(out: Path, model: dict, report: dict, command: str, **settings) -> None:
    """A fitted bag-of-words reader with what it was fitted with and its cross-validation, as JSON at `out`."""
    meta = {"fitted": date.today().isoformat(), "folds": f"GroupKFold({_FOLDS}) by paper", **settings,
            "cross_validated": report, "command": command}
    out.write_text(json.dumps({**model, "meta": meta}) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1), file=sys.stderr)


def cached(cache: Path, collect: Callable[[], T]) -> T:
    """What `collect()` returns, kept in `cache` and read from it next time."""
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    collected = collect()
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(collected))
    return collected


def collect_kept(cache: Path, corpora: list[str]) -> list[Question]:
    """The training questions, featurised: those kept in `cache` are read from it and only questions it lacks (a
    new gold batch, a test split just unsealed) are asked (asking all of them takes about an hour); the cache is
    rewritten when that changed what it holds. A kept question no longer readable for training is left out, as
    `collect` follows `training_items`."""
    kept = pickle.loads(cache.read_bytes()) if cache.exists() else []
    collected = collect(corpora, {(q.corpus, q.id): q for q in kept})
    if {(q.corpus, q.id) for q in collected} != {(q.corpus, q.id) for q in kept}:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(collected))
    return collected


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SELECTOR_PATH)
    parser.add_argument("--cache", type=Path, default=Path("eval-runs/selector-data.pkl"),
                        help="featurised questions; those it holds are reused, new ones added (delete it after "
                             "changing features)")
    parser.add_argument("--corpora", default="daily-v1,daily,pubmedqa")
    args = parser.parse_args(argv)
    corpora = [c for c in args.corpora.split(",") if c]
    questions = collect_kept(args.cache, corpora)
    models, report = fit(questions)
    decision, decision_report = fit_decision()
    meta = {"fitted": date.today().isoformat(), "corpora": corpora, "wrong_cost": _WRONG_COST,
            "folds": f"GroupKFold({_FOLDS}) by paper", "cross_validated": report, "decision": decision_report,
            "command": "python -m assistant.evaluation.fit_selector"}
    args.out.write_text(json.dumps({**models, "decision": decision, "meta": meta}, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"cross_validated": report, "decision": decision_report}, indent=1))


if __name__ == "__main__":
    main()
