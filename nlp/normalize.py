"""Text normalisation applied before every match and every classifier (deterministic, stable).

``normalize(text)``: Unicode NFC; control and zero-width characters dropped; emoji removed;
repeated punctuation and letter elongation collapsed; whitespace collapsed (one space within a
line, one newline between non-empty lines); common abbreviations and teencode expanded (ko/k/hok →
không, dc/đc/dk → được, ng → người, tp → thành phố, h./q./tx./x./p./tt. before a name →
huyện/quận/thị xã/xã/phường/thị trấn, ...). Diacritics are kept exactly as written: no tone is
added or moved. H4's classifiers are trained on this output, so change it only with a retrain.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0xFE0E, 0xFE0F, 0x20E3], None
)
_SPACE_LIKE = re.compile(r"  +")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
# Runs of the same punctuation mark: "!!!" → "!", "???" → "?"; dots: two or more → "...".
_REPEAT_PUNCT = re.compile(r"([!?,;:~*=+#_\-/\\|<>^])\1+")
_DOTS = re.compile(r"\.\.+|…+")
# Three or more of the same letter ("quáaaa", "điiii") → one; Vietnamese never triples a letter.
_ELONGATION = re.compile(r"([^\W\d_])\1{2,}", re.UNICODE)
# A vowel followed by two or more letters of the same base vowel ("quáaaa" → "quá").
_VOWEL_FAMILIES = (
    "aàáảãạăằắẳẵặâầấẩẫậ",
    "eèéẻẽẹêềếểễệ",
    "iìíỉĩị",
    "oòóỏõọôồốổỗộơờớởỡợ",
    "uùúủũụưừứửữự",
    "yỳýỷỹỵ",
)
_VOWEL_ELONGATION = re.compile(
    f"(?=[{''.join(_VOWEL_FAMILIES)}]{{3}})(?:" + "|".join(f"([{fam}])[{fam}]{{2,}}" for fam in _VOWEL_FAMILIES) + ")",
    re.IGNORECASE,
)
# Spaces before closing punctuation are removed ("đi !" → "đi!").
_SPACE_BEFORE_PUNCT = re.compile(r" +([!?,;:.])(?=\s|$)")

# Administrative prefixes written before a capitalised name: "H. Đại Lộc", "TX Điện Bàn", "p.Tân An".
# One alternation (one pass over the text); the named group that matched picks the expansion.
_NAME_START = r"(?=\s*[A-ZĐÀ-Ỹ])"
_ADMIN_PREFIX = re.compile(
    "(?=[QqTtHhXxPp])(?:"
    + "|".join(
        [
            r"\b(?P<qnam>[Qq]\.?\s?[Nn]am\b)(?!\s+(?:Giang|Trà|Tra)\b)",
            r"\b(?P<tphcm>(?:TP|Tp|tp)\.?\s?)(?=HCM\b)",
            r"\b(?P<tp>(?:TP|Tp|tp)\b\.?)" + _NAME_START,
            r"\b(?P<tx>(?:TX|Tx|tx)\b\.?)" + _NAME_START,
            r"\b(?P<tt>(?:TT|Tt|tt)\b\.?)" + _NAME_START,
            r"\b(?P<h>[Hh]\.\s?)" + _NAME_START,
            r"\b(?P<q>[Qq]\.\s?)" + _NAME_START,
            r"\b(?P<x>[Xx]\.\s?)" + _NAME_START,
            r"\b(?P<p>[Pp]\.\s?)" + _NAME_START,
        ]
    )
    + ")"
)
_ADMIN_EXPANSION = {
    "qnam": "Quảng Nam",
    "tphcm": "Thành phố ",
    "tp": "thành phố",
    "tx": "thị xã",
    "tt": "thị trấn",
    "h": "huyện ",
    "q": "quận ",
    "x": "xã ",
    "p": "phường ",
}


def _admin_prefix(match: re.Match[str]) -> str:
    return _ADMIN_EXPANSION[match.lastgroup or ""]


# Whole-word teencode and abbreviations, matched case-insensitively unless listed as case-sensitive.
_TEENCODE: dict[str, str] = {
    "ko": "không",
    "kô": "không",
    "hok": "không",
    "hk": "không",
    "khg": "không",
    "kh": "không",
    "kg": "không",  # not a unit here: "5kg" has no word boundary before "kg"
    "dc": "được",
    "đc": "được",
    "dk": "được",
    "đk": "được",
    "ng": "người",
    "ngta": "người ta",
    "mn": "mọi người",
    "mng": "mọi người",
    "cx": "cũng",
    "cg": "cũng",
    "vs": "với",
    "trc": "trước",
    "ntn": "như thế nào",
    "bh": "bây giờ",
    "bjo": "bây giờ",
    "bi h": "bây giờ",
    "z": "vậy",
    "zậy": "vậy",
    "dzậy": "vậy",
    "thik": "thích",
    "iu": "yêu",
    "sdt": "số điện thoại",
    "sđt": "số điện thoại",
    "stk": "số tài khoản",
    "tk": "tài khoản",
    "ctv": "cộng tác viên",
    "bv": "bệnh viện",
    "bs": "bác sĩ",
    "ubnd": "UBND",
    "hđnd": "HĐND",
    "hdnd": "HĐND",
    "csgt": "CSGT",
    "bchqs": "BCHQS",
}
_TEENCODE_CASED: dict[str, str] = {"k": "không", "j": "gì", "r": "rồi", "e": "em", "a": "anh"}
# Case variants are spelled out (lower, Capitalised, UPPER): far faster than re.IGNORECASE here.
_TEENCODE_VARIANTS = sorted(
    {v for key in _TEENCODE for v in (key, key.capitalize(), key.upper())}, key=len, reverse=True
)


def _trie_alternation(words: list[str]) -> str:
    """A regex matching the same strings as ``"|".join(words)`` sorted longest first, shaped as a trie
    (one branch per next character, a longer word tried before its prefix): far less backtracking."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + render(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return render(root)


_TEENCODE_RE = re.compile(r"(?<![\w.@/])(" + _trie_alternation(_TEENCODE_VARIANTS) + r")(?![\w@/]|\.\w)")
# Single letters only when they stand between words (not "5 k", "K+", "vitamin A", "hạng A"). The letter
# is matched first and the word and space before it checked behind it: same matches, quicker scan.
_CASED_LETTERS = "[" + "".join(_TEENCODE_CASED) + "]"
_TEENCODE_CASED_RE = re.compile(
    f"({_CASED_LETTERS})(?<=[^\\W\\d_] {_CASED_LETTERS})" + r"(?= [^\W\d_]|[ ]?[,.!?]?$)"
)


def _is_emoji(ch: str) -> bool:
    cat = unicodedata.category(ch)
    if cat == "So" or cat == "Cs":
        return True
    code = ord(ch)
    return 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or 0x1F3FB <= code <= 0x1F3FF


class _CharMap(dict[int, str | None]):
    """``str.translate`` table filled lazily: control, format, private-use and unassigned characters,
    emoji and symbols become a space, every other whitespace but the newline becomes a space."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch == "\n":
            value = ch
        elif unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cn") or _is_emoji(ch) or ch.isspace():
            value = " "
        else:
            value = ch
        self[code] = value
        return value


_CHAR_MAP = _CharMap(_INVISIBLE)


def _strip_chars(text: str) -> str:
    return text.translate(_CHAR_MAP)


def _teencode(match: re.Match[str]) -> str:
    word = match.group(1)
    expansion = _TEENCODE[word.lower()]
    if expansion.isupper():
        return expansion
    return expansion[0].upper() + expansion[1:] if word[0].isupper() else expansion


def _normalize_line(line: str) -> str:
    line = _SPACE_LIKE.sub(" ", line).strip()
    if not line:
        return ""
    line = _DOTS.sub("...", line)
    line = _REPEAT_PUNCT.sub(r"\1", line)
    line = _VOWEL_ELONGATION.sub(lambda m: next(g for g in m.groups() if g), line)
    line = _ELONGATION.sub(r"\1", line)
    line = _ADMIN_PREFIX.sub(_admin_prefix, line)
    line = _TEENCODE_RE.sub(_teencode, line)
    line = _TEENCODE_CASED_RE.sub(lambda m: _TEENCODE_CASED[m.group(1)], line)
    line = _SPACE_BEFORE_PUNCT.sub(r"\1", line)
    return _SPACE_LIKE.sub(" ", line).strip()


def normalize(text: str) -> str:
    """Normalise ``text`` for matching and classification (see the module docstring)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = _strip_chars(_LINE_BREAKS.sub("\n", text))
    lines = (_normalize_line(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
