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


class Gazetteer:
    """A versioned gazetteer with a single compiled matcher over every spelling."""

    def __init__(self, *, name: str, version: str, aliases: Iterable[_Alias]) -> None:
        self.name = name
        self.version = version
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
                if a.place.kind in ("city", "town", "district")
            )
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
        for start, end, key in self._matcher.finditer(folded.folded):
            mention = folded.original_span(start, end)
            if (key, mention) in seen:
                continue  # a later occurrence: the first one (earliest, so in the title if any) decides
            seen.add((key, mention))
            candidates = self._resolve(mention, self._by_key[key])
            if not candidates:
                continue
            if any(a.unambiguous for a in candidates):
                context = True
            found.append((start, mention, candidates))
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

    @staticmethod
    def _resolve(mention: str, bucket: list[_Alias]) -> list[_Alias]:
        """The places a mention can be: when it is written with diacritics, only the spellings that
        match them ("diện Ban" is not "Điện Bàn"); without diacritics, every place of that spelling."""
        written = fold_phrase(mention) != " ".join(mention.lower().split())
        if not written:
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
        return Gazetteer(name=str(data["name"]), version=str(data["version"]), aliases=_aliases(data))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"malformed gazetteer {path}: {exc!r}") from exc


def _aliases(data: dict[str, Any]) -> list[_Alias]:
    prefix_only = {fold_phrase(n) for n in data.get("prefix_only") or []}
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
        distinctive = {fold_phrase(n) for n in unit.get("distinctive", [])}
        for kind, key in (("township", "towns"), ("ward", "wards"), ("commune", "communes")):
            for raw in unit.get(key, []):
                out.extend(_local_aliases(raw, kind, name, distinctive, prefix_only))
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


def _local_aliases(raw: str, kind: str, district: str, distinctive: set[str], prefix_only: set[str]) -> list[_Alias]:
    """Spellings of a commune, ward or township: bare (unless prefix-only) and with its prefixes."""
    needs_prefix = raw.startswith("xã ")
    name = raw[3:] if needs_prefix else raw
    place = Place(name=name, kind=kind, district=district)
    unambiguous = fold_phrase(name) in distinctive
    prefixes = ("xa", "x.") if needs_prefix else _LOCAL_PREFIXES
    out = [_Alias(f"{p} {name}", place, unambiguous) for p in prefixes]
    if not needs_prefix and fold_phrase(name) not in prefix_only:
        out.append(_Alias(name, place, unambiguous))
    return out
