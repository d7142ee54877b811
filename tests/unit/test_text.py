"""Text primitives: sentence spans with exact offsets, number canonicalisation, slugs."""

from __future__ import annotations

import pytest

from assistant.text import (
    abbreviates,
    acronym_definitions,
    american_spelling,
    content_words,
    exact_names,
    mentions,
    named_entities,
    spelled_as_digits,
    normalise_number,
    numbers,
    sentence_spans,
    slugify,
    split_sentences,
)


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_sentence_spans_are_offsets_into_the_original_text():
    text = "  First sentence here.   Second one follows!\nThird?  "
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["First sentence here.", "Second one follows!", "Third?"]
    # spans are ordered, disjoint and trimmed
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        assert e1 <= s2
    for s, e in spans:
        assert text[s] != " " and text[e - 1] != " "


def test_abbreviations_do_not_end_a_sentence():
    text = "We use e.g. CT scans. Smith et al. showed the same. Results i.e. scores improved. See Fig. 2 for details."
    assert _sentences(text) == [
        "We use e.g. CT scans.",
        "Smith et al. showed the same.",
        "Results i.e. scores improved.",
        "See Fig. 2 for details.",
    ]


def test_decimals_and_percentages_stay_inside_their_sentence():
    text = "Accuracy improved by 1.43% on MIMIC-CXR. The model has 3.5B parameters. It beats v2.1 by 0.7 points."
    assert _sentences(text) == [
        "Accuracy improved by 1.43% on MIMIC-CXR.",
        "The model has 3.5B parameters.",
        "It beats v2.1 by 0.7 points.",
    ]


def test_sentence_may_start_with_a_digit_or_bracket():
    text = "The set is large. 32,682 pairs were built. (This took a week.) Done."
    assert _sentences(text) == ["The set is large.", "32,682 pairs were built.", "(This took a week.)", "Done."]


def test_initial_at_sentence_start_is_not_a_sentence_end():
    assert _sentences("J. Doe agreed. It helped.") == ["J. Doe agreed.", "It helped."]


def test_initial_after_other_words_is_not_a_sentence_end():
    assert _sentences("Work by J. Doe was cited. It helped.") == ["Work by J. Doe was cited.", "It helped."]


def test_lower_case_after_period_is_not_a_boundary():
    assert _sentences("We use approx. ten runs and cf. prior work. Fine.") == [
        "We use approx. ten runs and cf. prior work.",
        "Fine.",
    ]


def test_empty_and_blank_text_have_no_sentences():
    assert sentence_spans("") == []
    assert sentence_spans("   \n ") == []
    assert split_sentences("One sentence without a period") == ["One sentence without a period"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("32,682", "32682"),
        ("1.6M", "1.6 million"),
        ("1.6 million", "1600000"),
        ("25K", "25,000"),
        ("2 billion", "2B"),
        ("1.43%", "1.43 percent"),
    ],
)
def test_equal_numbers_have_one_canonical_form(a, b):
    assert normalise_number(a) == normalise_number(b)


@pytest.mark.parametrize(("a", "b"), [("32,682", "32,628"), ("1.6M", "1.6"), ("1.43%", "1.43"), ("16M", "1.6M")])
def test_different_numbers_stay_different(a, b):
    assert normalise_number(a) != normalise_number(b)


def test_numbers_finds_every_number_in_canonical_form():
    found = numbers("We release 32,682 pairs and 1.6M images with 1.43% error in 2024.")
    assert found == {normalise_number("32682"), normalise_number("1600000"), normalise_number("1.43%"), "2024"}


def test_numbers_ignores_digits_glued_to_letters():
    # "GPT4" and "v2.1" are names/versions, not quantities
    assert numbers("GPT4 beats v2.1 and Qwen2") == set()


def test_slugify_is_stable_and_url_safe():
    assert slugify("MedReason: Eliciting Factual  Medical Reasoning!") == "medreason-eliciting-factual-medical-reasoning"
    assert slugify("MedShapeNet -- A Large-Scale Dataset") == "medshapenet-a-large-scale-dataset"
    assert slugify("Café Über-Net") == "cafe-uber-net"
    # the same title with different spacing/punctuation gives the same id
    assert slugify("Tidal  Sonar: Transformer") == slugify("tidal sonar transformer")


def test_slugify_truncates_without_trailing_dash():
    slug = slugify("word " * 40, max_len=23)
    assert len(slug) <= 23
    assert not slug.endswith("-")
    assert slug.startswith("word-word")


def test_exact_names_keep_their_case_and_skip_kinds_of_things():
    assert exact_names("Is LEADS better than UniT or the other LLMs on CT?") == {"LEADS", "UniT"}


def test_a_name_may_start_with_a_digit_but_3d_alone_is_no_name():
    assert "3dseg-8" in named_entities("We aggregate 3DSeg-8 from 3D challenges.")
    assert "3d" not in named_entities("We aggregate 3DSeg-8 from 3D challenges.")


@pytest.mark.parametrize(
    ("plural", "singular"),
    [("images", "image"), ("cases", "case"), ("therapies", "therapy"), ("patches", "patch"), ("classes", "class")],
)
def test_plurals_meet_their_singulars(plural, singular):
    assert content_words(plural) == content_words(singular)


@pytest.mark.parametrize(
    ("name", "text", "found"),
    [("ct", "chest ct scans", True), ("ct", "a factual effect", False), ("slam", "orb-slam3 runs", True),
     ("benchmark", "three benchmarks", True), ("unit", "the community", False)],
)
def test_mentions_a_name_as_a_whole_word(name, text, found):
    assert mentions(text, name) is found


def test_a_hyphenated_name_is_one_name_and_a_participle_compound_names_its_acronym():
    assert named_entities("Which base model is Med-R1 trained from?") == {"med-r1"}  # not "med" as well
    assert "huatuo-o1-8b" in named_entities("MedReason-8B outperforms Huatuo-o1-8B on MedBullets.")
    assert named_entities("Two AI-generated organ labels were compared.") == {"ai"}
    assert "t5-large" in named_entities("We fine-tune T5-large on the corpus.")  # a size, not a participle


@pytest.mark.parametrize(("acronym", "text", "expected"), [
    ("NHANES", "drawn from the National Health and Nutrition Examination Survey cohort", True),
    ("CABG", "after coronary artery bypass grafting", True),
    ("PTCA", "after coronary artery bypass grafting", False),
    ("CT", "a clinical trial", False),  # two letters match by chance: never read as spelled out
    ("CABG", "coronary arteries, and then bypass", False),  # initials of words that are not consecutive
    ("VLMs", "recent medical vision-language models have shown promise", True),  # a plural by its singular's words
    ("VLMs", "vision language", False),
])
def test_an_acronym_is_read_from_the_initials_of_consecutive_words(acronym, text, expected):
    assert abbreviates(acronym, text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("The viral load (VL) fell; VL stayed undetectable.", {"vl": "viral load"}),
    ("with an ultrasound estimate of fetal weight (US-EFW) before birth",
     {"us-efw": "ultrasound estimate of fetal weight"}),
    ("the labour supply elasticity (LSE; see below) of married women", {"lse": "labour supply elasticity"}),
    ("the Sloan Digital Sky Survey (SDSS) and gravitational waves (GW)", {"sdss": "Sloan Digital Sky Survey",
                                                                        "gw": "gravitational waves"}),
    ("in 45 patients (n=45) and controls (Table 2)", {}),  # no capitals, or one: not a short form
    ("the trial (BERT) compared two arms", {}),  # letters not spelled by the words before: no definition
])
def test_short_forms_defined_in_parentheses_are_read_with_their_long_forms(text, expected):
    assert acronym_definitions(text) == expected


def test_spelled_out_numbers_become_digits_but_a_lone_one_stays_a_word():
    assert spelled_as_digits("Nine patients and twenty-five controls") == "9 patients and 25 controls"
    assert spelled_as_digits("one of the most common causes") == "one of the most common causes"
    # after a determiner "one" is a pronoun, also beside another number word
    assert spelled_as_digits("the one three months later") == "the one 3 months later"
    assert spelled_as_digits("one three") == "1 3"


@pytest.mark.parametrize(("text", "expected"), [
    ("in five hundred and sixty-one patients", "in 561 patients"),  # British "and" inside one number
    ("Three hundred and fifty thousand people", "350000 people"),
    ("two thousand and twelve", "2012"),
    ("one hundred and two hundred patients", "100 and 200 patients"),  # two numbers
    ("nine patients and ten controls", "9 patients and 10 controls"),
])
def test_and_inside_a_spelled_number(text, expected):
    assert spelled_as_digits(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("a two-stage design", "a 2-stage design"),
    ("a twenty-five-item scale", "a 25-item scale"),
    ("two- and three-year survival", "2- and 3-year survival"),
    ("a one-stage repair", "a one-stage repair"),  # a lone "one" stays a word, in a compound too
    ("zero-shot prompting", "zero-shot prompting"),  # a term, also written "zero-/few-shot"
    ("two-thirds of the cohort", "two-thirds of the cohort"),  # a fraction, not the count 2
])
def test_spelled_numbers_inside_hyphenated_words(text, expected):
    assert spelled_as_digits(text) == expected


def test_a_percent_sign_after_a_space_is_still_a_percentage():
    assert numbers("95 % CI") == numbers("95% CI") == {"95%"}


@pytest.mark.parametrize(("british", "american"), [
    ("tumours", "tumors"), ("haemorrhage", "hemorrhage"), ("oedema", "edema"), ("paediatric", "pediatric"),
    ("randomisation", "randomization"), ("randomised", "randomized"), ("centre", "center"), ("labour", "labor"),
])
def test_british_and_american_spellings_meet(british, american):
    assert american_spelling(british) == american_spelling(american)
