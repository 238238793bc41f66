"""Text repair: NFC, HTML entities, and legacy Vietnamese encodings.

Real pages and exports arrive as NFD (macOS, some CMSs), with HTML entities left in titles, typed in
the pre-Unicode font encodings TCVN3 (ABC, ``.VnTime``) or VNI (``VNI-Times``), or as UTF-8 that
somebody decoded as Windows-1252 ("Quáº£ng"). ``repair_text`` detects these from characters that do
not belong in Vietnamese text, tries each conversion, and keeps the one whose result reads as
Vietnamese syllables. Text it cannot fix raises ``TextRepairError`` with a reason for the operator;
the caller quarantines it.

The tables below were written from the TCVN 5712:1993 (VN3) and VNI-Windows code charts.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

from crawlers.errors import TextRepairError

# -- the Vietnamese alphabet ------------------------------------------------------------------------
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_VOWELS = "aăâeêioôơuưy"
_VI_LETTERS: frozenset[str] = frozenset(
    unicodedata.normalize("NFC", v + t)
    for base in _VOWELS
    for v in (base, base.upper())
    for t in _TONES
) | frozenset("đĐ")
_ALLOWED_SYMBOLS = frozenset("©°«»·\u00a0–—‘’“”…•€")

# -- TCVN3 (ABC): one byte per precomposed lower-case letter; capitals of toned letters use the
#    same codes in a capitals font, so decoded capitals come out lower-case (documented limit).
_TCVN3 = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ",
    0xC6: "ặ", 0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}  # fmt: skip
_TCVN3_TABLE = {chr(code): letter for code, letter in _TCVN3.items()}
_TCVN3_TABLE["\u2212"] = "ư"  # 0xAD is a soft hyphen; Word copies it out of .VnTime text as a minus sign

# -- VNI-Windows: a base letter followed by a mark byte; some letters are single bytes.
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE = "\u0302", "\u0306"
_VNI_MARKS = {
    "ø": _GRAVE, "ù": _ACUTE, "û": _HOOK, "õ": _TILDE, "ï": _DOT,
    "â": _CIRC, "á": _CIRC + _ACUTE, "à": _CIRC + _GRAVE, "å": _CIRC + _HOOK, "ã": _CIRC + _TILDE, "ä": _CIRC + _DOT,
    "ê": _BREVE, "é": _BREVE + _ACUTE, "è": _BREVE + _GRAVE, "ú": _BREVE + _HOOK, "ü": _BREVE + _TILDE,
    "ë": _BREVE + _DOT,
}  # fmt: skip
_VNI_MARKS.update({k.upper(): v for k, v in list(_VNI_MARKS.items())})
_VNI_LETTERS = {
    "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư", "ñ": "đ", "Ñ": "Đ",
    "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị",
    "Í": "Í", "Ì": "Ì", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị",
}  # fmt: skip
_VNI_BASES = frozenset("aeouyAEOUYơưƠƯ")

# -- Vietnamese syllables (tones stripped, vowel quality kept), to score candidate decodings.
_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx])?"
_OPEN_NUCLEI = (  # end in a semivowel: no final consonant follows
    "iêu|oai|oao|oay|oeo|uây|uôi|ươi|ươu|yêu|uyu|ai|ao|au|ay|âu|ây|eo|êu|iu|oi|ôi|ơi|ui|ưi|ưu"
)
_CODA_NUCLEI = "uyê|uya|ia|iê|oa|oă|oe|oo|ua|uâ|uê|uô|uơ|uy|ưa|ươ|yê|a|ă|â|e|ê|i|y|o|ô|ơ|u|ư"
_SYLLABLE = re.compile(rf"^{_ONSET}(?:(?:{_OPEN_NUCLEI})|(?:{_CODA_NUCLEI})(?:ch|ng|nh|[cmnpt])?)$")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_MIN_GAIN = 0.2  # a conversion must turn at least a fifth more words into Vietnamese syllables
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


@dataclass(frozen=True)
class Repaired:
    """Repaired text and what was done to it (empty ``fixes``: the text was already clean)."""

    text: str
    fixes: list[str] = field(default_factory=list)


def _strip_tone(word: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in "\u0300\u0301\u0309\u0303\u0323":
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def foreign_chars(text: str) -> list[str]:
    """Characters that do not belong in Vietnamese text: non-ASCII letters and symbols outside the
    Vietnamese alphabet and a few common typographic signs, control characters and U+FFFD."""
    bad = []
    for ch in text:
        code = ord(ch)
        if code < 0x80 or ch in _VI_LETTERS or ch in _ALLOWED_SYMBOLS:
            continue
        if ch == "\ufffd" or 0x80 <= code <= 0x2FF or ch == "\u2212":
            bad.append(ch)
    return bad


def syllable_score(text: str) -> float:
    """Share of words that are well-formed Vietnamese syllables (at most one tone), 0..1."""
    words = _WORD.findall(text)
    if not words:
        return 1.0
    good = 0
    for word in words:
        tones = sum(1 for ch in unicodedata.normalize("NFD", word) if ch in "\u0300\u0301\u0309\u0303\u0323")
        if tones <= 1 and _SYLLABLE.match(_strip_tone(word)):
            good += 1
    return good / len(words)


def _cp1252_bytes(text: str) -> bytes:
    """The bytes a Windows-1252 (or Latin-1) decoder turned into ``text``; ValueError if impossible."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) < 0x100:  # the five bytes cp1252 leaves undefined come back as C1 controls
                out.append(ord(ch))
            else:
                raise ValueError(ch) from None
    return bytes(out)


def from_utf8_mojibake(text: str) -> str:
    """UTF-8 bytes that were decoded as Windows-1252/Latin-1, decoded again (possibly twice)."""
    for _ in range(2):
        fixed = _cp1252_bytes(text).decode("utf-8")
        if fixed == text:
            break
        text = fixed
        if not foreign_chars(text):
            break
    return text


def from_cp1258_mojibake(text: str) -> str:
    """Windows-1258 bytes that were decoded as Windows-1252, decoded as Windows-1258 (then NFC)."""
    return unicodedata.normalize("NFC", _cp1252_bytes(text).decode("cp1258"))


def from_tcvn3(text: str) -> str:
    """TCVN3 (ABC) text that was read as Windows-1252/Latin-1."""
    return "".join(_TCVN3_TABLE.get(ch, ch) for ch in text)


def from_vni(text: str) -> str:
    """VNI-Windows text that was read as Windows-1252/Latin-1."""
    chunks: list[str] = []  # a base letter followed by the combining marks VNI bytes added to it
    for ch in text:
        if ch in _VNI_MARKS and chunks and chunks[-1][0] in _VNI_BASES:
            chunks[-1] += _VNI_MARKS[ch]
        else:
            chunks.append(_VNI_LETTERS.get(ch, ch))
    return unicodedata.normalize("NFC", "".join(chunks))


_DECODERS = (
    ("UTF-8 đọc nhầm thành Windows-1252", from_utf8_mojibake),
    ("Windows-1258 đọc nhầm thành Windows-1252", from_cp1258_mojibake),
    ("TCVN3 (ABC)", from_tcvn3),
    ("VNI-Windows", from_vni),
)


def repair_text(text: str, *, what: str = "văn bản") -> Repaired:
    """NFC, unescaped entities and a fixed legacy encoding; TextRepairError when it stays unreadable.

    ``what`` names the field in the quarantine reason (e.g. "tiêu đề").
    """
    fixes: list[str] = []
    if _ENTITY.search(text):
        unescaped = html.unescape(text)
        if unescaped != text:
            fixes.append("giải mã thực thể HTML")
            text = unescaped
    normal = unicodedata.normalize("NFC", text)
    if normal != text:
        fixes.append("chuẩn hoá Unicode NFD → NFC")
        text = normal
    bad = foreign_chars(text)
    if not bad:
        return Repaired(text, fixes)
    base_score = syllable_score(text)
    best: tuple[float, str, str] | None = None
    for label, decode in _DECODERS:
        try:
            candidate = decode(text)
        except (ValueError, UnicodeDecodeError):
            continue
        if candidate == text or len(foreign_chars(candidate)) > len(bad) // 20:
            continue
        score = syllable_score(candidate)
        if score >= base_score + _MIN_GAIN and (best is None or score > best[0]):
            best = (score, label, candidate)
    if best is not None:
        return Repaired(best[2], [*fixes, f"chuyển mã {best[1]} → Unicode"])
    letters = sum(1 for ch in text if ch.isalpha())
    if len(bad) <= 2 or len(bad) < 0.01 * max(letters, 1):
        return Repaired(text, fixes)  # a few foreign signs in otherwise clean text: leave them
    sample = "".join(dict.fromkeys(bad))[:12]
    raise TextRepairError(
        f"Không nhận dạng được bảng mã của {what}: {len(bad)} ký tự lạ (ví dụ «{sample}»); "
        "đã thử UTF-8, Windows-1258, TCVN3 (ABC), VNI nhưng không ra tiếng Việt hợp lệ"
    )


def decode_html(body: bytes, declared: str | None = None) -> str:
    """Decode page bytes: the declared encoding if it decodes cleanly, else UTF-8, else Windows-1252
    (legacy font encodings then surface as foreign characters for ``repair_text``)."""
    tried: list[str] = []
    for encoding in (declared, "utf-8"):
        if not encoding or encoding in tried:
            continue
        tried.append(encoding)
        try:
            return body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return "".join(
        ch if ch != "\ufffd" else chr(b) for ch, b in zip(body.decode("cp1252", errors="replace"), body, strict=True)
    )


_TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S | re.I)


def prepare_html(page: str) -> str:
    """Protect TCVN3 text before HTML processing: its 'ư' is byte 0xAD, a soft hyphen that HTML
    extractors delete. On a page that reads as TCVN3, soft hyphens become U+2212, which
    ``from_tcvn3`` maps back to 'ư'."""
    if "\xad" not in page:
        return page
    visible = _TAGS.sub(" ", page)
    if not foreign_chars(visible):
        return page
    if syllable_score(from_tcvn3(visible)) >= syllable_score(visible) + _MIN_GAIN:
        return page.replace("\xad", "\u2212")
    return page
