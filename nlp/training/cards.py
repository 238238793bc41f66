"""Model cards (MODEL_CARD.md) written beside every shipped artifact from its metadata."""

from __future__ import annotations

import json
from typing import Any

CRITICISM_RULE = (
    "**Criticism is not misinformation.** Complaints, opinions and criticism of authorities or officials are"
    " legitimate public feedback and must never be treated as misinformation; news that reports a rumour and"
    " official debunks are not misinformation either. A false flag on such content counts as an error in every"
    " evaluation of this model. A flag is a question for a human analyst, never an automatic decision."
)

INTENDED_USE = {
    "topics": "Tag collected items (press, social, official) with the province topics of DESIGN.md, multi-label,"
    " to route incidents and build search facets and digests. Combined with the analysts' keyword rules"
    " (config) in the Enricher.",
    "misinformation": "One signal (beside known false claims and transparent cues) for the `misinformation` flag:"
    " checkable false factual claims written to spread (hoaxes, fake announcements, fake disaster warnings,"
    " health myths, fabricated quotes). The flag asks a human to look; it removes nothing.",
    "scam": "One signal (beside cues: money transfers, account numbers, lookalike domains, impersonated"
    " authority) for the `scam` flag. Official warnings about scams and news of scam arrests are not scams.",
    "hate_speech": "One signal for the `hate_speech` flag (contempt for or incitement against a group). The flag"
    " is raised only when the text also names a group (group-target cues, nlp/cues.yaml); the threshold is"
    " chosen for that rule. ViHOS, which also marks plain offensive language, is kept at a small weight; the"
    " project-written sets teach the group-contempt definition. Analysts judge.",
    "vntc": "Public benchmark model (VNTC 10 news sections). Shipped so the quality gate can re-measure it;"
    " the pipeline does not use it.",
}

DATA_TERMS = {
    "topics": "Province topic set written by the project (nlp/labelled/train/topics.jsonl, project licence)"
    " and the other authors' topic sets (nlp/labelled/train/second_author/ and third_author/topics.jsonl, the"
    " retired held-out sets v1 and v2, project licence). VNTC train (MIT packaging by duyvuleo/VNTC; article"
    " texts (c) their newspapers) can"
    " serve as weak labels (vntc_weight > 0) but is not used: it lowered dev F1 in the previous build.",
    "misinformation": "Labelled set written by the project (nlp/labelled/train/misinformation.jsonl, including"
    " everyday posts and eyewitness reports as negatives) and the other authors' sets"
    " (nlp/labelled/train/second_author/, third_author/, fourth_author/ and fifth_author/misinformation.jsonl,"
    " the retired held-out sets v1, v2, v3's flag file and the two everyday-posts sets), plus the"
    " project's scam and topic sets as extra negatives; project licence. No public data (VFND, GPL-3.0, was"
    " not used).",
    "scam": "Labelled set written by the project (nlp/labelled/train/scam.jsonl) and the other authors' sets"
    " (nlp/labelled/train/second_author/, third_author/ and fourth_author/scam.jsonl, the retired held-out"
    " sets v1, v2 and v3's flag file),"
    " plus the project's"
    " misinformation and topic sets as extra negatives; project licence.",
    "hate_speech": "ViHOS (MIT, Hoang et al., EACL 2023) at a small sample weight and the project-written hate"
    " sets (nlp/labelled/train/hate_speech.jsonl, second_author/hate.jsonl and third_author/hate.jsonl, project"
    " licence: contempt for a"
    " group vs personal rudeness, profanity, counter-speech and neutral mentions) for training. Comparisons:"
    " ViHSD (research use only, Luu et al. 2021) and UIT-ViCTSD (cite Nguyen et al. 2021; no licence file):"
    " used for evaluation and for non-shipped comparison models only.",
    "vntc": "VNTC Ver1.1 (MIT packaging by duyvuleo/VNTC; texts (c) Vietnamese newspapers; cite Hoang et al.,"
    " RIVF 2007).",
}

KNOWN_LIMITS = {
    "topics": "About 2,100 invented province texts (the project's set, written over several sessions, and two"
    " other authors' sets, the retired held-out v1 and v2), 130-350 per topic; authors differ in how many topics"
    " they give a text (the second author rarely gives more than one), so the number of topics per text is the"
    " least stable part; governance and economy are the weakest topics across authors. Cross-author check"
    " (`python -m nlp.training.topics_crossauthor`: the same recipe fitted on two authors, measured on the"
    " third through rules + classifier, 2026-11-27): micro-F1 others -> own 0.839, -> second author 0.814,"
    " -> third author 0.826 (before this build's new rules phrases and 96 own examples: 0.823, 0.803, 0.807);"
    " these are not blind for the rules, whose phrases were chosen after reading all three sets. Character"
    " n-grams (also at C 16-64), word trigrams, author-grouped CV folds and wider C grids were measured the"
    " same way and lowered the figures, so they are not used. VNTC weak labels (2006-era national news)"
    " lowered dev F1 in an earlier build and are not used. Per-topic thresholds are chosen on out-of-fold"
    " probabilities of the pooled set for the whole rules + classifier decision, so they assume the keyword"
    " rules of the version recorded in rules_version.",
    "misinformation": "A text classifier cannot check facts: it learns how hoaxes are written (urgency,"
    " insider sourcing, claims of cover-ups) and can miss a calmly written falsehood or flag an alarming true"
    " warning. The labelled set is small and written by the project; figures on it are optimistic for"
    " real traffic. The threshold favours precision on criticism and news over recall. Disclosure: model"
    " selection was switched from one to three repeated cross-validation runs after a rebuild regressed on"
    " the project's own test split and on the aggregate held-out figures (no held-out example was looked"
    " at). Those figures were on held-out v1, since retired into training (second author) like v2 (third"
    " author) and v3's flag files (fourth author, after one evaluation); v4 is unseen. The gap is across"
    " writers: a model fitted on some authors misses calmly written"
    " hoaxes (fabricated accidents, fake policies and closures) of a writer it never saw. Calibration and"
    " threshold therefore also use one leave-one-author-out run of scores. Leave-one-author-out check of this"
    " recipe through the whole Enricher (python -m nlp.training.flag_crossauthor, 2026-11-27; fitted on two"
    " authors, measured on the third), recall / precision / legitimate posts flagged, before -> after the"
    " third quality session: third author 0.795 / 0.947 / 1.0 % -> 0.857 / 0.960 / 2.1 %; second author"
    " 0.955 / 0.938 / 2.2 % -> 0.973 / 0.947 / 2.2 %; project 0.633 / 0.922 / 4.0 % -> 0.690 / 0.927 / 4.8 %"
    " (the project set grew by 213 rows in between). Not blind: the added examples' categories and the added"
    " cue phrases were chosen after reading these errors on the retired sets. Second round, after v3 was"
    " retired (64 more examples, complaint and accident-report dampeners, classifier_dampen 0.5 -> 0.7;"
    " four authors): fourth author 0.902 / 0.918 / 6.25 % -> 0.911 / 0.944 / 4.17 %; third 0.830 -> 0.848"
    " recall; second 0.973 -> 0.964; project 0.674 -> 0.728 recall, 4.8 % -> 3.3 % legitimate flagged."
    " Third round (260 rows: everyday posts, eyewitness reports, complaints, questions and casual-style"
    " hoaxes): on a fresh everyday held-out set (heldout_everyday_*, measured once before and once after)"
    " legitimate posts flagged 11 % -> 6 % (eyewitness reports 20 % -> 14 %), precision 0.804 -> 0.882,"
    " recall 0.90 -> 0.90; leave-one-author-out recall second 0.964 -> 0.937, third 0.848 -> 0.848, fourth"
    " 0.911 -> 0.884, precision up on all three; on v4 recall 0.911 -> 0.866. True first-hand reports of"
    " rising water or blocked roads read like fake disaster warnings and are the main remaining false flags."
    " Questions asking whether a rumour is true are a hard case: the question cues and examples lower their"
    " score, a question that restates the rumour at length can still be flagged. The threshold is chosen for"
    " the whole flag formula (cues and dampeners lower the score of debunks, warnings, questions), so the"
    " classifier measured alone at that threshold flags more legitimate posts than the flag does.",
    "scam": "Small sets written by four authors (the project's, the retired held-out v1 and v2, and v3's scam"
    " file); new scam"
    " scripts and domains appear constantly: the cue rules"
    " and analysts' feedback must complement it. Scam cues ignore negated passages (\"không yêu cầu chuyển"
    " tiền\") so that warnings quoting a scam are not flagged by their wording; a scam phrased as a negation"
    " loses those cues. Disclosure: the threshold rule was changed once after the aggregate held-out v1 scam"
    " F1 had been seen; v1, v2 and v3's scam file have since been retired into training (second, third and"
    " fourth author), v4 is unseen. Leave-one-author-out F1 through the whole Enricher"
    " (python -m nlp.training.flag_crossauthor,"
    " 2026-11-27), before -> after the third quality session (a leave-one-author-out run in calibration and"
    " threshold choice; misinformation cue changes, some dampening scam too):"
    " third author 0.943 -> 0.959, second 0.967 -> 0.976, project 0.930 -> 0.934. Second round (23 more"
    " examples, four authors): fourth author 0.906 -> 0.915, third 0.959 -> 0.967, second 0.958 -> 0.975,"
    " project 0.933 -> 0.947.",
    "hate_speech": "ViHOS marks offensive spans, so much of its positive class is rudeness without a target"
    " group; it is kept at a small weight (chosen by cross-validation), so agreement with ViHOS and ViHSD"
    " labels is lower by design. The project sets are small (469 examples, three authors: the project's and"
    " the retired held-out v1 and v2); groups absent from them and the group-target cue list may be missed."
    " Cross-author check (same training procedure fitted"
    " with one author's set, measured on the other's through the whole Enricher, 2026-11-27): first author ->"
    " second author F1 0.962 (P 0.944, R 0.981; classifier alone 0.836); second -> first F1 0.918 (P 0.968,"
    " R 0.874; classifier alone 0.868). The first author's 106 newer examples and the group-target cues were"
    " written after reading the second author's set and its cue misses, so the first figure is not blind."
    " No per-group evaluation was possible.",
    "vntc": "2006-era national news; exact duplicates between train and test are removed for the main figure"
    " (test_dedup). Features: hashed syllable uni+bigrams (2^20 columns) of the lower-cased normalised text"
    " WITH diacritics (not folded, unlike the pipeline's models) and the unigrams of underthesea's word"
    " segmentation (2^20 further columns), sublinear tf times smooth idf, L2; one-vs-rest LinearSVC (C chosen"
    " on the slice); coefficients stored as float16 (artifact under 20 MB). Every choice was made on a"
    " validation slice of train, none on test: the most recent 15% of each section/newspaper group by doc_id"
    " number (forward in time; metrics.validation.forward_trials). This model does NOT beat the 0.932 accuracy"
    " floor on the de-duplicated test (test_dedup; it does on the whole test split, test_full, which keeps"
    " 2,531 texts also in train). Four candidates have now been evaluated on test, all disclosed: two chosen on"
    " an earlier random slice of train (idf, C=2: 0.9302; idf squared, C=4: 0.9267), one on the forward slice"
    " with syllable n-grams alone (0.9303; metrics.validation.earlier_candidates_on_test) and this one. On the"
    " forward slice every bag-of-n-grams variant tried lies within 0.5 points (idf powers 0-2, C 0.5-8,"
    " document-frequency masks, a 2^22-column hash, trigrams, digit folding, naive Bayes and NB ensembles,"
    " class weights, hinge and Crammer-Singer losses, kNN and LSA additions, per-class n-gram language"
    " models at 0.90); underthesea's words gave the one consistent gain (+0.26 points on the forward slice,"
    " +0.12 on the random one). A pre-trained encoder would be the next step; none can be had offline here.",
}


def features_sentence(features: dict[str, Any]) -> str:
    """What the feature spec (``FeatureSpec.to_dict``) hashes, in words."""
    parts = [f"word n-grams (1 to {features['ngram_max']} words)"]
    if features.get("char_features"):
        parts.append(f"character n-grams of the first {features['char_prefix']} characters")
    if features.get("segmented_features"):
        parts.append("the words of underthesea's segmentation")
    if features["fold"]:
        text = "the folded text (no diacritics), so text written with or without diacritics gets the same features"
    else:
        text = "the lower-cased text as written (diacritics kept: a text without them gets other features)"
    return (f"Features: hashed {', '.join(parts)} of {text}. `explain()` returns the strongest word n-grams of"
            " the text.")


def card(task: str, folder: str, meta: dict[str, Any]) -> str:
    metrics = json.dumps(meta["metrics"], ensure_ascii=False, indent=2)
    hyper = json.dumps(meta["hyper_parameters"], ensure_ascii=False, indent=2)
    versions = ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
    return f"""# Model card: {folder}

Task: `{task}` · labels: {", ".join(f"`{x}`" for x in meta["labels"])} · mode: {meta["mode"]}
Built by `python -m nlp.training.train_all` (seed {meta["seed"]}); library versions: {versions}.
Loading fails (ModelError) if scikit-learn, numpy, scipy, underthesea or the Python minor version differ.

## Intended use
{INTENDED_USE[task]}

Input: `nlp.normalize.normalize(title + "\\n" + text)`. {features_sentence(meta["features"])}

{CRITICISM_RULE}

## Data and licences
{DATA_TERMS[task]}

## Thresholds
{json.dumps(meta["thresholds"], ensure_ascii=False)} (chosen on development data, never on test data).

## Metrics (how measured is stated inside)
```json
{metrics}
```

## Hyper-parameters
```json
{hyper}
```

## Known limits
{KNOWN_LIMITS[task]}
"""
