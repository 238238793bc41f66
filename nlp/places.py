"""Places of Quảng Nam named in text, resolved to their former district-level unit.

The gazetteer is data (``nlp/gazetteer/*.yaml``, see the rules at the top of that file); this
module loads it and matches it on folded text in one pass (``nlp.matching.PhraseMatcher``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nlp.matching import FoldedText, PhraseMatcher, fold_phrase
from records.errors import ConfigError
from records.schema import PlaceMention

DEFAULT_GAZETTEER = Path(__file__).parent / "gazetteer" / "quang_nam_2023.yaml"

# Prefixes that mark a name as an administrative unit: (folded prefix, applies to kinds).
_DISTRICT_PREFIXES = ("huyen", "thi xa", "tx", "thanh pho", "tp", "h.", "tx.", "tp.")
_LOCAL_PREFIXES = ("xa", "phuong", "thi tran", "tt", "tt.", "x.", "p.")
# When one spelling names several places of the same district, the larger unit is reported.
_KIND_RANK = {"province": 0, "district": 1, "city": 1, "town": 1, "township": 2, "ward": 3, "commune": 3}
_DISTRICT_KINDS = ("city", "town", "district")
# Words (folded) that, right before a bare prefix-only name, say it is a place: "ở Nam Phước", "chợ Hà Lam",
# "đoạn qua Duy Phước", "nông dân Bình Lâm".
_LOCATIVE_BEFORE = re.compile(
    r"(?:^|\W)(?:o|tai|qua|ve|len|xuong|vao|den|toi|cho|bien|bai tam|bai bien|thon|lang|vung|khu vuc|dia ban|dan|"
    r"nguoi dan|ba con|nong dan|ngu dan|truong|diem truong|tram y te|ubnd|cong an)\s+$"
)
# A qualifier right after a name that puts it elsewhere: ", huyện Tuy Phước", " (Phú Thọ)", ", TP Biên Hòa".
_QUALIFIER = re.compile(
    r"\s*(?:[,(]|-|\bo\b|\btai\b|\bthuoc\b)\s*(?:(tinh|tp\.?|thanh pho|huyen|quan|thi xa|tx\.?)\s*)?"
    r"([^\W\d_]+(?:[ .][^\W\d_]+){0,3})"
)
_LIST_SEPARATOR = re.compile(r"\s*(?:,|;|-|\bva\b)\s*")
_MARKED = re.compile("[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]", re.IGNORECASE)


@dataclass(frozen=True)
class Place:
    """One gazetteer entry: a district-level unit, a commune/ward/township, river, dam or landmark."""

    name: str
    kind: str  # province, city, town, district (district-level units); township, ward, commune; river, ...
    district: str | None
    note: str | None = None


@dataclass(frozen=True)
class _Alias:
    spelling: str  # as written in the gazetteer (with diacritics)
    place: Place
    unambiguous: bool
    locative_only: bool = False  # a bare prefix-only name: counts only after a place word ("ở", "chợ", ...)


class Gazetteer:
    """A versioned gazetteer with a single compiled matcher over every spelling."""

    def __init__(
        self,
        *,
        name: str,
        version: str,
        aliases: Iterable[_Alias],
        other_provinces: Iterable[str] = (),
        diacritics_required: Iterable[str] = (),
        not_elsewhere: Iterable[str] = (),
    ) -> None:
        self.name = name
        self.version = version
        self._other_provinces = frozenset(fold_phrase(n) for n in other_provinces)
        self._diacritics_required = frozenset(fold_phrase(n) for n in diacritics_required)
        self._not_elsewhere = frozenset(fold_phrase(n) for n in not_elsewhere)
        self._by_key: dict[str, list[_Alias]] = {}
        for alias in aliases:
            key = fold_phrase(alias.spelling)
            bucket = self._by_key.setdefault(key, [])
            if all(a.spelling != alias.spelling or a.place != alias.place for a in bucket):
                bucket.append(alias)
        self._matcher = PhraseMatcher(self._by_key)
        self.districts: tuple[str, ...] = tuple(
            dict.fromkeys(
                a.place.name
                for bucket in self._by_key.values()
                for a in bucket
                if a.place.kind in _DISTRICT_KINDS
            )
        )
        # District-level spellings and the names of this province, for qualifiers and overlaps.
        self._district_keys = frozenset(
            key for key, bucket in self._by_key.items() if any(a.place.kind in _DISTRICT_KINDS for a in bucket)
        )
        self._province_keys = frozenset(
            key for key, bucket in self._by_key.items() if any(a.place.kind == "province" for a in bucket)
        )
        self._home_keys = self._district_keys | self._province_keys | self._not_elsewhere
        # A district spelling starting at a given position and ending at a word boundary, longest first.
        self._district_at = re.compile(
            "(?:" + "|".join(re.escape(k) for k in sorted(self._district_keys, key=len, reverse=True)) + r")(?![^\W_])"
        )

    def find(
        self,
        text: str,
        *,
        title_chars: int = 0,
        folded: FoldedText | None = None,
        province_context: bool = False,
    ) -> list[PlaceMention]:
        """Places named in ``text`` (distinct by place, in order of first mention).

        Mentions of ambiguous names are kept only when the context is the province: the text also
        names the province or an unambiguous place, or the caller knows it (``province_context``: an
        item collected from a provincial source or kept by the relevance filter). The first
        ``title_chars`` characters are the title (sets ``in_title``). ``folded``:
        ``FoldedText.of(text)`` when the caller has it already.
        """
        if not text:
            return []
        if folded is None or folded.original != text:
            folded = FoldedText.of(text)
        found: list[tuple[int, str, list[_Alias]]] = []
        seen: set[tuple[str, str]] = set()
        context = province_context
        marked: bool | None = None  # does the text use diacritics (computed when first needed)
        last_end = -1  # end of the last place kept: a bare name right after it is the next of a list
        for start, end, key in self._matches(folded.folded):
            mention = folded.original_span(start, end)
            if (key, mention) in seen:
                continue  # a later occurrence: the first one (earliest, so in the title if any) decides
            seen.add((key, mention))
            if marked is None:
                marked = len(_MARKED.findall(text)) >= 3
            candidates = self._resolve(mention, self._by_key[key], text_marked=marked)
            listed = (
                last_end >= 0
                and _LIST_SEPARATOR.fullmatch(folded.folded, last_end, start) is not None
                and (not marked or mention[:1].isupper())
            )
            candidates = [
                a for a in candidates if not a.locative_only or listed or _locative(folded, start, mention, marked)
            ]
            if not candidates:
                continue
            if key not in self._province_keys and self._placed_elsewhere(
                folded, start, end, unambiguous=any(a.unambiguous for a in candidates)
            ):
                continue
            if any(a.unambiguous for a in candidates):
                context = True
            found.append((start, mention, candidates))
            last_end = end
        mentions: dict[tuple[str | None, str | None], PlaceMention] = {}
        for start, mention, candidates in found:
            if not context and not any(a.unambiguous for a in candidates):
                continue
            place_mention = _to_mention(mention, candidates, in_title=start < title_chars)
            key2 = (place_mention.name, place_mention.district)
            if key2 in mentions:
                if place_mention.in_title and not mentions[key2].in_title:
                    mentions[key2] = mentions[key2].model_copy(update={"in_title": True})
                continue
            mentions[key2] = place_mention
        return list(mentions.values())

    def _matches(self, folded: str) -> list[tuple[int, int, str]]:
        """Matcher hits, except that a district name overlapping the end of a shorter local name wins
        ("quế Hiệp Đức" is Hiệp Đức, not the commune Quế Hiệp followed by "Đức")."""
        hits = list(self._matcher.finditer(folded))
        out: list[tuple[int, int, str]] = []
        skip_to = -1
        for start, end, key in hits:
            if start < skip_to:
                continue
            if key not in self._district_keys:
                inner = folded.find(" ", start, end)
                while inner != -1:
                    p = inner + 1
                    district = self._district_at.match(folded, p)
                    if district is not None and district.end() > end:
                        start, end, key = p, district.end(), district.group()
                        break
                    inner = folded.find(" ", p, end)
            out.append((start, end, key))
            skip_to = end
        return out

    def _placed_elsewhere(self, folded: FoldedText, start: int, end: int, *, unambiguous: bool) -> bool:
        """The text itself puts the name in another province or district: "Bình Minh, Vĩnh Long",
        "xã Phước Sơn, huyện Tuy Phước", "Tân Bình, TP.HCM", "thị xã Bình Minh" (a commune's "xã" inside
        "thị xã"; the province's only thị xã is Điện Bàn, a district-level name). Without a unit word
        ("huyện", "tỉnh", "TP"...), only an ambiguous name is placed elsewhere by a following province name:
        "Hội An, Đà Nẵng" is an enumeration."""
        text = folded.folded
        if text.endswith("thi ", 0, start) and text.startswith(("xa ", "x."), start):
            return True
        match = _QUALIFIER.match(text, end)
        if match is None:
            return False
        unit, words = match.group(1), match.group(2)
        names = words.split()
        prefixes = {" ".join(names[:n]) for n in range(1, len(names) + 1)}
        if prefixes & self._home_keys:
            return False
        if unit is None and unambiguous:
            return False
        if prefixes & self._other_provinces or any(n.replace(".", "") in ("tphcm", "hcm") for n in names[:1]):
            return True
        if unit is None:
            return False
        # "huyện Tuy Phước", "TP Biên Hòa": a capitalised unit name that is not one of the province's.
        name_start = match.start(2)
        return folded.original_span(name_start, name_start + 1)[:1].isupper()

    def _resolve(self, mention: str, bucket: list[_Alias], *, text_marked: bool = False) -> list[_Alias]:
        """The places a mention can be: when it is written with diacritics, only the spellings that
        match them ("diện Ban" is not "Điện Bàn"); without diacritics, every place of that spelling, unless
        the rest of the text uses diacritics and one spelling matches as written ("Tam Thanh")."""
        written = fold_phrase(mention) != " ".join(mention.lower().split())
        if not written:
            if fold_phrase(mention) in self._diacritics_required or any(
                fold_phrase(a.place.name) in self._diacritics_required for a in bucket
            ):
                return []
            if text_marked:
                exact = [a for a in bucket if _same_spelling(a, mention)]
                return exact or bucket
            return bucket
        return [a for a in bucket if _same_spelling(a, mention)]


_OLD_TONE = re.compile(r"(o[àáảãạ]|o[èéẻẽẹ]|u[ỳýỷỹỵ])(?![^\W\d_])")


def _tone_canonical(text: str) -> str:
    """Lower case, single spaces, and the tone of "oa", "oe", "uy" at a word end on the first vowel
    ("hoà" → "hòa", "thuỷ" → "thủy"): both placements are in common use."""

    def move(match: re.Match[str]) -> str:
        first, second = match.group(1)[0], match.group(1)[1]
        base = unicodedata.normalize("NFD", second)
        tone = base[1:] if len(base) > 1 else ""
        return unicodedata.normalize("NFC", first + tone) + base[0]

    return _OLD_TONE.sub(move, " ".join(text.lower().split()))


def _locative(folded: FoldedText, start: int, mention: str, text_marked: bool) -> bool:
    """A bare prefix-only name is a place here: a place word right before it, and written as a name
    (capitalised, unless the whole text is written without diacritics)."""
    if text_marked and not mention[:1].isupper():
        return False
    return _LOCATIVE_BEFORE.search(folded.folded, max(0, start - 24), start) is not None


def _same_spelling(alias: _Alias, mention: str) -> bool:
    """The mention ends with the place's name (or is the alias) exactly as the gazetteer writes it."""
    written = _tone_canonical(mention)
    name = _tone_canonical(alias.place.name)
    return written == _tone_canonical(alias.spelling) or written == name or written.endswith(" " + name)


def _to_mention(mention: str, candidates: list[_Alias], *, in_title: bool) -> PlaceMention:
    districts = {a.place.district for a in candidates}
    if len(districts) == 1:
        best = min(candidates, key=lambda a: _KIND_RANK.get(a.place.kind, 4)).place
        return PlaceMention(mention=mention, district=best.district, name=best.name, place_type=best.kind,
                            in_title=in_title)
    return PlaceMention(mention=mention, district=None, name=None, place_type="ambiguous", in_title=in_title)


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Load a gazetteer YAML file (default: the 2023 Quảng Nam units). Raises ConfigError if malformed."""
    path = path or DEFAULT_GAZETTEER
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read gazetteer {path}: {exc}") from exc
    try:
        return Gazetteer(
            name=str(data["name"]),
            version=str(data["version"]),
            aliases=_aliases(data),
            other_provinces=[str(n) for n in data.get("other_provinces") or []],
            diacritics_required=[str(n) for n in data.get("diacritics_required") or []],
            not_elsewhere=[str(n) for n in data.get("not_elsewhere") or []],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"malformed gazetteer {path}: {exc!r}") from exc


def _aliases(data: dict[str, Any]) -> list[_Alias]:
    prefix_only = {fold_phrase(n) for n in data.get("prefix_only") or []}
    never_bare = prefix_only & {fold_phrase(n) for n in data.get("other_provinces") or []}
    out: list[_Alias] = []
    province = Place(name=data["province"]["name"], kind="province", district=None)
    for spelling in [province.name, *data["province"].get("aliases", [])]:
        out.append(_Alias(spelling, province, True))
    for unit in data["districts"]:
        name = unit["name"]
        place = Place(name=name, kind=unit.get("kind", "district"), district=name)
        ambiguous = bool(unit.get("ambiguous", False))
        for spelling in [name, *unit.get("aliases", [])]:
            out.append(_Alias(spelling, place, not ambiguous))
            out.extend(_Alias(f"{p} {spelling}", place, True) for p in _DISTRICT_PREFIXES)
            out.extend(_Alias(f"{p}{spelling}", place, True) for p in _DISTRICT_PREFIXES if p.endswith("."))
        distinctive = {fold_phrase(n) for n in unit.get("distinctive", [])}
        for kind, key in (("township", "towns"), ("ward", "wards"), ("commune", "communes")):
            for raw in unit.get(key, []):
                out.extend(_local_aliases(raw, kind, name, distinctive, prefix_only, never_bare))
    for feature in data.get("features", []):
        place = Place(name=feature["name"], kind=feature["kind"], district=feature.get("district"),
                      note=feature.get("note"))
        ambiguous = bool(feature.get("ambiguous", False))
        out.append(_Alias(place.name, place, not ambiguous))
        alias_unambiguous = not ambiguous or bool(feature.get("unambiguous_aliases", False))
        out.extend(_Alias(a, place, alias_unambiguous) for a in feature.get("aliases", []))
    for unit in data.get("units_2025") or []:
        place = Place(name=unit["name"], kind=unit.get("kind", "commune"), district=unit.get("former_district"))
        out.extend(_Alias(a, place, not unit.get("ambiguous", True)) for a in [place.name, *unit.get("aliases", [])])
    return out


def _local_aliases(
    raw: str, kind: str, district: str, distinctive: set[str], prefix_only: set[str], never_bare: set[str]
) -> list[_Alias]:
    """Spellings of a commune, ward or township: bare and with its prefixes. A prefix-only name counts
    bare only after a place word ("ở Nam Phước"); one that is also another province's name never does."""
    needs_prefix = raw.startswith("xã ")
    name = raw[3:] if needs_prefix else raw
    place = Place(name=name, kind=kind, district=district)
    unambiguous = fold_phrase(name) in distinctive
    prefixes = ("xa", "x.") if needs_prefix else _LOCAL_PREFIXES
    out = [_Alias(f"{p} {name}", place, unambiguous) for p in prefixes]
    if not needs_prefix and fold_phrase(name) not in never_bare:
        out.append(_Alias(name, place, unambiguous, locative_only=fold_phrase(name) in prefix_only))
    return out
