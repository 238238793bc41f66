"""Offline language identification, tiny and heuristic: Vietnamese, English, or undetermined.

Vietnamese is recognised by its letters (ă â đ ê ô ơ ư and the tone marks) or, when written
without diacritics, by its function words (teencode included) or by its syllables: nearly every
word of a Vietnamese text is one syllable of the language's shape (onset, one to three vowels, one
of eight codas), which few English or other Latin-script words are. English is recognised by its
function words. Anything else (other scripts, other languages, empty text) is ``"und"``.
"""

from __future__ import annotations

import re

from nlp.matching import fast_fold

_VI_LETTERS = frozenset("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")
_VI_WORDS = frozenset(
    [
        "khong",
        "nguoi",
        "cua",
        "va",
        "la",
        "cac",
        "nhung",
        "duoc",
        "trong",
        "cho",
        "mot",
        "nay",
        "da",
        "se",
        "den",
        "voi",
        "tai",
        "tu",
        "ve",
        "khi",
        "thi",
        "co",
        "nhieu",
        "nam",
        "ngay",
        "dan",
        "tinh",
        "huyen",
        "xa",
        "ong",
        "ba",
        "chung",
        "toi",
        "minh",
        "ban",
        "anh",
        "chi",
        "em",
        "rat",
        "cung",
        "nhu",
        # teencode and chat abbreviations (nlp.normalize expands them; detection sees the raw text)
        "ko",
        "k",
        "dc",
        "mn",
        "ng",
        "vs",
        "j",
        "ntn",
        "bit",
        "hok",
        "khum",
    ]
)
_EN_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "is",
        "are",
        "was",
        "were",
        "for",
        "with",
        "that",
        "this",
        "on",
        "by",
        "from",
        "at",
        "be",
        "it",
        "as",
        "an",
        "have",
        "has",
        "not",
        "which",
        "or",
        "you",
        "we",
        "they",
        "he",
        "she",
        "will",
        "would",
        "can",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")
_VI_LETTER_RE = re.compile("[" + "".join(sorted(_VI_LETTERS)) + "]")
_NON_LATIN_LETTER = re.compile(r"[^\W\d_\u0000-\u024f" + "".join(sorted(_VI_LETTERS)) + "]")
_SAMPLE = 4000
# One Vietnamese syllable written without marks: optional onset, one to three vowels, optional coda.
_VI_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")
_MIN_SYLLABLE_WORDS = 4
_SYLLABLE_SHARE = 0.85


def detect_language(text: str) -> str:
    """``"vi"``, ``"en"`` or ``"und"`` from the first few thousand characters of ``text``."""
    sample = text[:_SAMPLE].lower()
    words = _WORD.findall(sample)
    if not words:
        return "und"
    letters = sum(len(w) for w in words)
    if len(_NON_LATIN_LETTER.findall(sample)) > 0.4 * letters:
        return "und"
    vi_letters = len(_VI_LETTER_RE.findall(sample))
    if vi_letters >= max(2, 0.03 * letters):
        return "vi"  # written with diacritics: the word counts below cannot change the answer
    folded = _WORD.findall(fast_fold(sample))
    vi_words = sum(1 for w in folded if w in _VI_WORDS)
    en_words = sum(1 for w in words if w in _EN_WORDS)
    if vi_words >= 2 and vi_words > 1.5 * en_words:
        return "vi"
    if en_words >= 2 and en_words >= 0.1 * len(words):
        return "en"
    if len(folded) >= _MIN_SYLLABLE_WORDS:
        syllables = sum(1 for w in folded if _VI_SYLLABLE.fullmatch(w))
        if syllables >= _SYLLABLE_SHARE * len(folded):
            return "vi"
    if len(words) <= 3 and vi_letters:
        return "vi"
    return "und"
