"""underthesea's ``word_tokenize(text, format="text")`` with the same output at a fraction of the cost.

``word_tokenize`` cuts a text into tokens (underthesea's regex), asks underthesea_core's Rust
``CRFFeaturizer`` for 43 feature strings per token, and tags them with the CRF. Most of its time goes
into building those strings (about 20 µs per token), handing them to the tagger and the regex. Here:
the regex tokens of each whitespace-separated chunk are remembered; a token's unigram features and a
token pair's and triple's n-gram features are looked up once (Vietnamese has a few thousand syllables)
as the CRF's own attribute strings, features the CRF has no attribute for (about 40 %) being left out
(the tagger drops them itself before scoring); the per-position lists are assembled by slicing whole
columns. The tags and so the output are underthesea's:

- the feature templates, dictionary and CRF attributes are read from the same model files as
  ``word_tokenize``, and its own tagger scores the features (known ones, in the same order);
- every character is checked once against the Rust featurizer (lower case, title case) before a text
  that contains it takes the fast path; a character that differs (or the context-sensitive Greek capital
  sigma) sends its text through ``word_tokenize`` itself;
- a probe text is compared with ``word_tokenize`` when the tokenizer is built; any difference, an
  unsupported template or a missing model file disables the fast path entirely.

tests/nlp/test_nlp_fast_word_tokenize.py compares the output and the feature lists with underthesea's.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from itertools import chain
from operator import add
from pathlib import Path
from typing import Any

from nlp.bounded_memo import BoundedMemo

_CACHE_LIMIT = 60_000  # remembered tokens / token n-grams per cache before it starts over (tens of MB at most)
# underthesea's "Th.S" and "Th.s" abbreviations (an unescaped dot: any character but a newline) can span a space.
_ACROSS_SPACE = re.compile(r"Th[^\S\n][Ss]")
_I32 = re.compile(r"[+-]?[0-9]+")
_TEMPLATE = re.compile(r"T\[(-?\d+)(?:,(-?\d+))?\](?:\.(lower|isdigit|istitle|is_in_dict))?")
_MODEL_NAME = "ws_crf_vlsp2013_20230727"  # the model underthesea's word_tokenize loads
_PROBE = (
    "Sáng 12/3/2024, UBND huyện Đại Lộc (Quảng Nam) cho biết: 1.250 hộ dân ở xã Đại Hồng phải sơ tán… "
    "Xem https://baoquangnam.vn/tin-tuc?id=5 hoặc gọi 0905-123-456! Tp. Hội An, TP.HCM; mua lu o dai loc :))"
)


class _Unsupported(Exception):
    """The fast path cannot promise underthesea's output for this text (it goes through word_tokenize)."""


def _rust_isdigit(text: str) -> bool:
    """Rust's ``text.parse::<i32>().is_ok()`` (underthesea_core's ``isdigit``)."""
    return _I32.fullmatch(text) is not None and -(2**31) <= int(text) < 2**31


def _rust_istitle(text: str) -> bool:
    """underthesea_core's ``istitle``: every space-separated part starts with a character upper case leaves alone."""
    for part in text.split(" "):
        if not part:
            raise _Unsupported("empty part: underthesea_core panics here")
        first = part[0]
        if first != first.upper():
            return False
    return True


@dataclass(frozen=True)
class _Template:
    syntax: str
    first: int  # offset of the first token of the span
    length: int  # tokens in the span
    function: str | None
    slot: int  # index among the templates of the same span length


def parse_templates(configs: Sequence[str]) -> list[_Template]:
    """underthesea_core's feature templates (``T[-1]``, ``T[0,1].lower`` ...); ``ValueError`` for other forms."""
    templates: list[_Template] = []
    slots: dict[int, int] = {}
    for config in configs:
        match = _TEMPLATE.fullmatch(config)
        if match is None:
            raise ValueError(f"unsupported feature template {config!r}")
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) is not None else first
        if last < first:
            raise ValueError(f"unsupported feature template {config!r}")
        length = last - first + 1
        slot = slots.get(length, 0)
        slots[length] = slot + 1
        templates.append(_Template(config, first, length, match.group(3), slot))
    return templates


def crfsuite_attributes(path: Path) -> frozenset[str]:
    """The attribute strings of a CRFsuite model file (its attribute CQDB); ``ValueError`` if it is not one."""
    data = path.read_bytes()
    try:
        magic, _size, kind, _version, _features, _labels, n_attrs, _f, _l, off_attrs = struct.unpack_from(
            "<4sI4sIIIIIII", data, 0
        )
        chunk = off_attrs
        cq_magic, _csize, _flag, _order, bwd_size, bwd_offset = struct.unpack_from("<4sIIIII", data, chunk)
        if magic != b"lCRF" or kind != b"FOMC" or cq_magic != b"CQDB" or bwd_size != n_attrs:
            raise ValueError(f"{path}: not a CRFsuite CRF1d model")
        out = set()
        for i, offset in enumerate(struct.unpack_from(f"<{bwd_size}I", data, chunk + bwd_offset)):
            record_id, key_size = struct.unpack_from("<II", data, chunk + offset)
            key = data[chunk + offset + 8 : chunk + offset + 8 + key_size]
            if record_id != i or not key.endswith(b"\0"):
                raise ValueError(f"{path}: attribute record {i} is malformed")
            out.add(key[:-1].decode("utf-8", "replace"))
    except struct.error as exc:
        raise ValueError(f"{path}: truncated CRFsuite model ({exc})") from exc
    return frozenset(out)


class _Boundary:
    """A marker padding a token sequence: before its start (BOS) or after its end (EOS)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        return self.name


_BOS = _Boundary("BOS")
_EOS = _Boundary("EOS")


class CrfFeatures:
    """``CRFFeaturizer(templates, dictionary).process([[[t] for t in tokens]])[0]`` for one token sequence.

    With ``known`` (the CRF's attribute strings), features the CRF does not know are left out: the tagger
    ignores them anyway (its scores add the weights of known attributes in list order, which is kept).
    ``_Unsupported`` when a token holds a character not checked equal to the Rust featurizer.
    """

    def __init__(
        self, configs: Sequence[str], dictionary: set[str], reference: Any, known: frozenset[str] | None = None
    ) -> None:
        self.templates = parse_templates(configs)
        self._dictionary = frozenset(dictionary)
        self._reference = reference  # the Rust featurizer, asked once per new character
        self._known = known
        self._by_length: dict[int, list[_Template]] = {}
        for template in self.templates:
            self._by_length.setdefault(template.length, []).append(template)
        # Per span length: token (or tuple of tokens) → its feature strings for every template of that length.
        self._caches: dict[int, BoundedMemo[Any, tuple[str, ...]]] = {
            length: BoundedMemo(self._span_strings, _CACHE_LIMIT) for length in self._by_length
        }
        # With ``known``: per template, value → the CRF's own attribute string ("T[0]=nhà"), so a kept
        # feature is looked up, not built, and the same string object goes to the tagger every time.
        self._known_values: dict[str, dict[str, str]] = {t.syntax: {} for t in self.templates}
        for attribute in known or ():
            syntax, equals, value = attribute.partition("=")
            if equals and syntax in self._known_values:
                self._known_values[syntax][value] = attribute
        # Per span length, one step per template: kept features only (filtered) or all of them (raw, to
        # compare with the Rust featurizer).
        self._string_plans = {
            filtered: {
                length: [self._string_step(t, filtered) for t in templates]
                for length, templates in self._by_length.items()
            }
            for filtered in (True, False)
        }
        self._functions = {length: {t.function for t in ts} for length, ts in self._by_length.items()}
        # Tokens are padded with boundary markers: a span starting on one gets the BOS features, a span
        # ending on one the EOS features (as the Rust featurizer decides, BOS first), so every template's
        # column is one slice of its span column.
        self._pad = max((max(-t.first, t.first + t.length - 1, 0) for t in self.templates), default=0)
        self._plan = [(t.length, t.slot, self._pad + t.first) for t in self.templates]
        self._boundary = {
            (filtered, marker, length): tuple(
                self._keep(f"{t.syntax}={marker}") if filtered else f"{t.syntax}={marker}" for t in templates
            )
            for filtered in (True, False)
            for marker in ("BOS", "EOS")
            for length, templates in self._by_length.items()
        }
        self._safe_chars: dict[str, bool] = {}
        self._unsafe_tokens: set[str] = set()

    def _keep(self, feature: str) -> str:
        """``feature`` (the CRF's own string object for it), or "" (dropped from the row) when the CRF does
        not know it."""
        if self._known is None:
            return feature
        syntax, _equals, value = feature.partition("=")
        return self._known_values.get(syntax, {}).get(value, "")

    def _string_step(
        self, template: _Template, filtered: bool
    ) -> tuple[str, str, bool, str, str, dict[str, str] | None]:
        """(prefix, function, whether it is a True/False test, feature if true, feature if false,
        value → kept feature when features are filtered by the CRF's attributes)."""
        prefix = f"{template.syntax}="
        function = template.function or ""
        values = self._known_values[template.syntax] if filtered and self._known is not None else None
        if function in ("isdigit", "istitle", "is_in_dict"):
            when_true, when_false = f"{prefix}True", f"{prefix}False"
            if filtered:
                when_true, when_false = self._keep(when_true), self._keep(when_false)
            return prefix, function, True, when_true, when_false, values
        return prefix, function, False, "", "", values

    # -- feature strings of one span -----------------------------------------------------------------
    def _strings(self, length: int, text: str, filtered: bool) -> tuple[str, ...]:
        """The features of the span ``text`` (its tokens joined by spaces) for each template of that length;
        filtered: "" for a feature the CRF does not know."""
        functions = self._functions[length]
        lower = text.lower() if "lower" in functions or "is_in_dict" in functions else text
        flags = {
            "isdigit": "isdigit" in functions and _rust_isdigit(text),
            "istitle": "istitle" in functions and _rust_istitle(text),
            "is_in_dict": lower in self._dictionary,
        }
        out = []
        for prefix, function, is_test, when_true, when_false, values in self._string_plans[filtered][length]:
            if is_test:
                out.append(when_true if flags[function] else when_false)
            elif values is not None:
                out.append(values.get(lower if function == "lower" else text, ""))
            else:
                out.append(prefix + (lower if function == "lower" else text))
        return tuple(out)

    def _span_strings(self, key: Any, filtered: bool = True) -> tuple[str, ...]:
        """Features of a token (``str``) or a tuple of tokens, for every template of that span length."""
        if type(key) is str:
            if filtered:
                self._check_token(key)
            return self._strings(1, key, filtered)
        if key is _BOS or key is _EOS:
            return self._boundary[filtered, str(key), 1]
        if key[0] is _BOS:
            return self._boundary[filtered, "BOS", len(key)]
        if key[-1] is _EOS:
            return self._boundary[filtered, "EOS", len(key)]
        return self._strings(len(key), " ".join(key), filtered)

    def _check_token(self, token: str) -> None:
        for ch in token:
            safe = self._safe_chars.get(ch)
            if safe is None:
                safe = self._safe_chars[ch] = self._check_char(ch)
            if not safe:
                self._unsafe_tokens.add(token)

    def _check_char(self, ch: str) -> bool:
        """Whether the Rust featurizer gives ``ch`` (a one-token sentence) the features computed here."""
        if ch == "\u03a3":  # the lower case of capital sigma depends on its neighbours
            return False
        uncached = {length: partial(self._span_strings, filtered=False) for length in self._by_length}
        try:
            expected = self._reference.process([[[ch]]])[0]
            mine = [list(row) for row in self._columns([ch], uncached)]
        except (_Unsupported, ValueError, TypeError):
            return False
        return bool(mine == expected)

    # -- a whole sequence ----------------------------------------------------------------------------
    def __call__(self, tokens: Sequence[str]) -> list[list[str]]:
        """The feature rows of ``tokens`` (known features only when ``known`` was given)."""
        columns = self._columns(tokens, {length: c.__getitem__ for length, c in self._caches.items()})
        if self._unsafe_tokens and not self._unsafe_tokens.isdisjoint(tokens):
            raise _Unsupported("a token holds a character the Rust featurizer treats differently")
        if self._known is None:
            return list(map(list, columns))
        return [list(filter(None, row)) for row in columns]

    def _columns(
        self, tokens: Sequence[str], lookup: Mapping[int, Callable[[Any], tuple[str, ...]]]
    ) -> list[tuple[str, ...]]:
        """One tuple per token: the features of every template in template order."""
        n = len(tokens)
        if n == 0:
            return []
        padded: list[Any] = [_BOS] * self._pad + list(tokens) + [_EOS] * self._pad
        m = len(padded)
        spans: dict[int, list[tuple[str, ...]]] = {}
        for length, strings_of in lookup.items():
            keys = padded if length == 1 else zip(*(padded[j : m - length + 1 + j] for j in range(length)), strict=True)
            spans[length] = list(zip(*map(strings_of, keys), strict=True))
        columns = [spans[length][slot][start : start + n] for length, slot, start in self._plan]
        return list(zip(*columns, strict=True))


def join_words(tags: Sequence[str], tokens: Sequence[str]) -> str:
    """word_tokenize's text output: a token tagged I-W (never the first) joins the word before it with "_",
    other tokens start a new word after a space; a space inside a token is written "_" too."""
    separators = ["_" if tag == "I-W" else " " for tag in tags]
    separators[0] = ""
    written = [t.replace(" ", "_") for t in tokens] if any(" " in t for t in tokens) else tokens
    return "".join(map(add, separators, written))


def _matched(match: re.Match[str]) -> str:
    """The token of a match of underthesea's tokenizer regex: each alternative is one named group spanning it."""
    return match.group()


class _ChunkCache(BoundedMemo[tuple[str, str], tuple[str, ...]]):
    """(chunk of text without whitespace, what follows it) → its normalised tokens, computed on first sight."""

    def __init__(self, patterns: re.Pattern[str], tokens: BoundedMemo[str, str]) -> None:
        super().__init__(self._tokenize, _CACHE_LIMIT)
        self.patterns = patterns
        self._tokens = tokens

    def _tokenize(self, key: tuple[str, str]) -> tuple[str, ...]:
        chunk, suffix = key
        return tuple(map(self._tokens.__getitem__, map(_matched, self.patterns.finditer(chunk + suffix))))


class FastWordTokenizer:
    """``underthesea.word_tokenize(text, format="text")``, same output, built from underthesea's own parts."""

    def __init__(self) -> None:
        from underthesea import word_tokenize
        from underthesea.pipeline.text_normalize import token_normalize
        from underthesea.pipeline.text_normalize.character_normalize import normalize_characters_in_text
        from underthesea.pipeline.word_tokenize import regex_tokenize

        self._word_tokenize: Callable[..., Any] = word_tokenize
        self._regex_module = regex_tokenize  # its ``patterns`` read at each call, as underthesea's tokenize does
        self._normalize_text = normalize_characters_in_text
        self._tokens: BoundedMemo[str, str] = BoundedMemo(token_normalize, _CACHE_LIMIT)  # token → token_normalize
        self._chunks = _ChunkCache(regex_tokenize.patterns, self._tokens)
        self.fallbacks = 0  # texts sent through word_tokenize itself
        self._features: CrfFeatures | None = None
        self._tagger: Any = None
        self._enable()

    def _enable(self) -> None:
        """Load the same templates, dictionary and CRF as word_tokenize; keep the fast path only if a probe agrees."""
        import joblib
        import underthesea.pipeline.word_tokenize as wt_module

        self._word_tokenize("Khởi động.")  # loads underthesea's model (and its tagger) once
        model = getattr(wt_module, "word_tokenize_model", None)
        folder = Path(wt_module.__file__).parent / "models" / _MODEL_NAME
        if model is None or not folder.is_dir():
            return
        try:
            configs = joblib.load(folder / "features.bin")
            dictionary = joblib.load(folder / "dictionary.bin")
            features = CrfFeatures(configs, dictionary, model.featurizer, known=self._attributes(folder / "models.bin"))
        except (OSError, ValueError, TypeError):
            return
        self._features, self._tagger = features, model.estimator
        if self.word_tokenize(_PROBE) != self._word_tokenize(_PROBE, format="text"):
            self._features = self._tagger = None

    @staticmethod
    def _attributes(path: Path) -> frozenset[str] | None:
        """The CRF's attribute strings, or None (every feature passed to the tagger) if the file cannot be read."""
        try:
            return crfsuite_attributes(path)
        except (OSError, ValueError):
            return None

    @property
    def fast(self) -> bool:
        """Whether the fast path is in use (False: every call goes through word_tokenize)."""
        return self._features is not None

    def tokens(self, text: str) -> list[str]:
        """underthesea's ``tokenize(text)`` (regex tokens, character and token normalisation).

        No token of underthesea's regex holds whitespace except its "Th.S"/"Th.s" abbreviations (an
        unescaped dot), and its lookarounds see one character or the end: so unless "Th", one space and
        "S"/"s" occur, the tokens of a text are those of its whitespace-separated chunks, each followed
        by a space (or, for the last, by what ends the text), and a chunk's tokens are remembered.
        """
        text = self._normalize_text(text)
        patterns = self._regex_module.patterns
        if patterns is not self._chunks.patterns:  # underthesea recompiles it for fixed words
            self._chunks = _ChunkCache(patterns, self._tokens)
        if _ACROSS_SPACE.search(text):
            return list(map(self._tokens.__getitem__, map(_matched, patterns.finditer(text))))
        chunks = text.split()
        if not chunks:
            return []
        rest = text[len(text.rstrip()) :]
        suffixes = [" "] * len(chunks)
        suffixes[-1] = rest if rest in ("", "\n") else " "
        return list(chain.from_iterable(map(self._chunks.__getitem__, zip(chunks, suffixes, strict=True))))

    def word_tokenize(self, text: str) -> str:
        """``underthesea.word_tokenize(text, format="text")``."""
        if self._features is None or self._tagger is None:
            return str(self._word_tokenize(text, format="text"))
        tokens = self.tokens(text)
        try:
            rows = self._features(tokens)
        except _Unsupported:
            self.fallbacks += 1
            return str(self._word_tokenize(text, format="text"))
        return join_words(self._tagger.tag(rows), tokens) if rows else ""


@cache
def fast_word_tokenizer() -> FastWordTokenizer:
    """The process's one ``FastWordTokenizer`` (built on first use: underthesea's import takes seconds)."""
    return FastWordTokenizer()
