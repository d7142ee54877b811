"""The sentence-role reader: its terms, its fit on labelled sections and the bundled model's reading."""

from __future__ import annotations

import json

import pytest

from assistant.roles import ROLES, load_roles, role_terms


def test_numbers_become_one_token_and_pairs_are_kept():
    terms = role_terms("Accuracy rose to 91.5% in 1,204 patients.")
    assert "<pct>" in terms and "<num>" in terms
    assert "91" not in terms and "1,204" not in terms
    assert "accuracy rose" in terms and "in <num>" in terms


@pytest.mark.parametrize(("label", "role"), [
    ("BACKGROUND", "background"), ("OBJECTIVES", "objective"), ("MATERIALS AND METHODS", "methods"),
    ("STUDY DESIGN", "methods"), ("MAIN RESULTS", "results"), ("METHODS AND RESULTS", None),
    ("BACKGROUND AND AIMS", None), ("UNLABELLED", None),
])
def test_section_names_map_to_one_role_or_none(label, role):
    from assistant.evaluation.fit_roles import section_role

    assert section_role(label) == role


def _item(pmid: int, topic: str) -> dict:
    return {"pmid": str(pmid), "labels": ["BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS"],
            "contexts": [f"Little is known about {topic} in adults. Prior work was small.",
                         f"We aimed to assess whether {topic} reduces stay.",
                         f"We enrolled {40 + pmid} patients in a randomised trial of {topic}.",
                         f"Stay fell from {9 + pmid % 5} to {6 + pmid % 3} days (p = 0.0{pmid % 9 + 1})."],
            "conclusion": f"In conclusion, {topic} shortens hospital stay."}


def test_fit_learns_roles_out_of_fold_and_skips_test_papers(tmp_path):
    """Synthetic abstracts with one wording per section: the out-of-fold reader must tell the sections apart,
    and papers of the test split never reach the training sentences."""
    from assistant.evaluation.corpora import split_of
    from assistant.evaluation.fit_roles import fit, labelled_sentences, main

    topics = ["early mobilisation", "oral feeding", "nurse follow-up", "tele-monitoring", "physiotherapy"]
    source = tmp_path / "abstracts.jsonl"
    source.write_text("".join(json.dumps(_item(i, topics[i % 5])) + "\n" for i in range(80)), encoding="utf-8")
    _, _, papers = labelled_sentences(source)
    kept = {f"pubmed-{i}" for i in range(80) if split_of(f"pubmed-{i}") == "dev"}
    assert set(papers) == kept and 0 < len(kept) < 80

    _, report = fit(source)
    assert report["accuracy"] > 0.9
    assert set(report["by_role"]) == set(ROLES)

    out = tmp_path / "roles.json"
    main(["--source", str(source), "--out", str(out)])
    reader = load_roles(out)
    assert max(reader.roles("We enrolled 77 patients in a randomised trial of oral feeding.").items(),
               key=lambda kv: kv[1])[0] == "methods"


def test_bundled_reader_tells_a_finding_from_an_aim():
    """Sentences of another field than the training abstracts: the finding reads as results, the aim as objective."""
    reader = load_roles()
    finding = reader.roles("The fine-tuned parser outperformed the rule-based baseline on all 12 treebanks "
                           "(p < 0.001), raising attachment accuracy by 4.2%.")
    aim = reader.roles("The aim of this study was to determine whether a fine-tuned parser improves attachment "
                       "accuracy.")
    assert abs(sum(finding.values()) - 1.0) < 1e-9
    assert finding["results"] > max(v for k, v in finding.items() if k != "results")
    assert aim["objective"] > aim["results"]


def test_an_exported_term_classifier_scores_as_scikit_learn_does():
    """Both bag-of-words readers (roles, yes/no) are scored without scikit-learn: the probabilities must be the
    fitted pipeline's own, repeated terms included (sublinear term frequency)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from assistant.bagofwords import TermClassifier, export

    texts = ["rates fell fell fell sharply", "we aimed to test rates", "rates rose", "we aimed to measure",
             "costs fell", "the aim was cost", "costs rose rose", "we aimed aimed to see"]
    labels = ["results", "objective", "results", "objective", "results", "objective", "results", "objective"]
    vectoriser = TfidfVectorizer(analyzer=str.split, sublinear_tf=True)
    model = LogisticRegression(C=4.0).fit(vectoriser.fit_transform(texts), labels)
    reader = TermClassifier.from_export(json.loads(json.dumps(export(vectoriser, model))))
    for text in ["fell fell fell rates", "we aimed aimed", "unknown words only"]:
        expected = model.predict_proba(vectoriser.transform([text]))[0]
        got = reader.probabilities(text.split())
        assert np.allclose([got[c] for c in model.classes_], expected)
