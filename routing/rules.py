"""Routing rules: the model, validation with readable (Vietnamese) messages, and loading from YAML.

A rule matches incidents by kind (and optionally topics, districts, a minimum severity) and names the
lead unit, the partner units, the suggested action and the response deadline per severity. The lead
(and partners) may be a unit id from ``config/units.yaml`` or a resolution:

- ``by_topic``: the department responsible for the incident's first mapped topic;
- ``by_district``: the People's Committee of the incident's first mapped district;
- ``by_topic_or_district`` / ``by_district_or_topic``: the first that resolves, in that order;
- ``by_source`` (partners only): the press agencies the incident's items came from.
"""

from __future__ import annotations

import itertools
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from records.errors import ConfigError, InputError
from records.schema import TOPIC_IDS
from records.textfold import fold
from routing.units import UnitDirectory, district_key, read_config_yaml

ROUTING_FILE = "routing.yaml"
COLLECTION = "routing_rules"
SEVERITIES = (1, 2, 3, 4, 5)
LEAD_RESOLUTIONS = frozenset({"by_topic", "by_district", "by_topic_or_district", "by_district_or_topic"})
PARTNER_RESOLUTIONS = frozenset({"by_topic", "by_district", "by_source"})
MAX_DEADLINE_HOURS = 24 * 30

# The remedy is information (DESIGN.md principle 4): a rule may never ask to remove content or to act
# against a person. Checked on folded text, so spelling without diacritics does not slip through.
FORBIDDEN_ACTION_PHRASES: tuple[str, ...] = (
    "go bo",
    "go bai",
    "go tin",
    "xoa bai",
    "xoa tin",
    "xoa noi dung",
    "khoa tai khoan",
    "chan tai khoan",
    "xu ly nguoi",
    "xu phat nguoi",
    "truy tim nguoi",
    "bao cao nguoi",
    "danh sach nguoi",
    "remove",
    "take down",
    "takedown",
    "report the person",
    "ban the account",
)


class IncidentKind(StrEnum):
    """What kind of incident a rule answers (DESIGN.md's routing table)."""

    misinformation = "misinformation"
    scam = "scam"
    hate_speech = "hate_speech"
    crisis_spike = "crisis_spike"
    press_issue = "press_issue"  # wrong facts in a press article
    public_concern = "public_concern"  # complaints, questions, a story many sources carry


KIND_LABELS_VI: dict[str, str] = {
    "misinformation": "Tin sai sự thật",
    "scam": "Lừa đảo",
    "hate_speech": "Phát ngôn thù hằn",
    "crisis_spike": "Khủng hoảng truyền thông",
    "press_issue": "Báo chí đưa tin sai",
    "public_concern": "Dư luận quan tâm",
}


class RuleMatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kinds: list[IncidentKind] = Field(min_length=1)
    topics: list[str] = Field(default_factory=list)  # any of them (empty: any topic)
    districts: list[str] = Field(default_factory=list)  # any of them (empty: anywhere)
    min_severity: int = Field(default=1, ge=1, le=5)

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in TOPIC_IDS]
        if unknown:
            raise ValueError(f"chủ đề không tồn tại: {', '.join(unknown)} (hợp lệ: {', '.join(TOPIC_IDS)})")
        return value

    @property
    def specificity(self) -> int:
        return int(bool(self.topics)) + int(bool(self.districts)) + int(self.min_severity > 1)


class RoutingRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]{1,63}$")
    description: str = ""
    priority: int = Field(default=100, ge=0, le=10_000)  # lower is tried first
    enabled: bool = True
    match: RuleMatch
    lead: str = Field(min_length=1)
    partners: list[str] = Field(default_factory=list)
    action: str = Field(min_length=10, max_length=2000)  # Vietnamese, for the responsible unit
    deadline_hours: dict[int, float]

    @field_validator("deadline_hours", mode="before")
    @classmethod
    def _int_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            try:
                return {int(k): v for k, v in value.items()}
            except (TypeError, ValueError) as exc:
                raise ValueError("khóa của deadline_hours phải là mức độ 1–5") from exc
        return value

    @field_validator("deadline_hours")
    @classmethod
    def _every_severity(cls, value: dict[int, float]) -> dict[int, float]:
        if sorted(value) != list(SEVERITIES):
            raise ValueError("cần đúng một thời hạn (giờ) cho mỗi mức độ 1, 2, 3, 4, 5")
        for severity, hours in value.items():
            if not 0 < hours <= MAX_DEADLINE_HOURS:
                raise ValueError(f"thời hạn cho mức độ {severity} phải trong khoảng (0, {MAX_DEADLINE_HOURS}] giờ")
        for lower, higher in itertools.pairwise(SEVERITIES):
            if value[higher] > value[lower]:
                raise ValueError(f"mức độ {higher} không được có thời hạn dài hơn mức độ {lower}")
        return value

    def matches(self, *, kind: str, topics: list[str], district_keys: set[str], severity: int) -> bool:
        m = self.match
        if not self.enabled or kind not in m.kinds or severity < m.min_severity:
            return False
        if m.topics and not set(m.topics) & set(topics):
            return False
        return not (m.districts and not {district_key(d) for d in m.districts} & district_keys)


def _messages(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(quy tắc)"
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"trường '{where}': {msg}")
    return "; ".join(parts)


def validate_rule(doc: Any, *, units: UnitDirectory | None = None) -> RoutingRule:
    """A rule from an untrusted document (the admin API), or InputError saying what is wrong.

    With ``units``, lead and partner unit ids must exist in the directory.
    """
    if not isinstance(doc, dict):
        raise InputError("Quy tắc định tuyến không hợp lệ: cần một đối tượng JSON")
    try:
        rule = RoutingRule.model_validate(doc)
    except ValidationError as exc:
        raise InputError(f"Quy tắc định tuyến không hợp lệ: {_messages(exc)}") from exc
    problems: list[str] = []
    if rule.lead in PARTNER_RESOLUTIONS - LEAD_RESOLUTIONS:
        problems.append(f"trường 'lead': '{rule.lead}' chỉ dùng được cho đơn vị phối hợp")
    elif units is not None and rule.lead not in LEAD_RESOLUTIONS and rule.lead not in units:
        problems.append(f"trường 'lead': không có đơn vị '{rule.lead}' trong danh mục đơn vị")
    if units is not None:
        for partner in rule.partners:
            if partner not in PARTNER_RESOLUTIONS and partner not in units:
                problems.append(f"trường 'partners': không có đơn vị '{partner}' trong danh mục đơn vị")
        for district in rule.match.districts:
            if units.district_unit(district) is None:
                problems.append(f"trường 'match.districts': không biết địa bàn '{district}'")
    folded_action = fold(rule.action)
    for phrase in FORBIDDEN_ACTION_PHRASES:
        if phrase in folded_action:
            problems.append(
                "trường 'action': hành động đề xuất phải là cung cấp thông tin, không được yêu cầu gỡ bỏ nội dung "
                f"hay xử lý cá nhân (gặp cụm '{phrase}')"
            )
    if problems:
        raise InputError("Quy tắc định tuyến không hợp lệ: " + "; ".join(problems))
    return rule


class RoutingConfig(BaseModel):
    """The non-rule part of ``config/routing.yaml``: topic and district mappings and the fallback."""

    model_config = ConfigDict(extra="forbid")

    topic_units: dict[str, str]
    district_units: dict[str, str] = Field(default_factory=dict)  # district name → unit id (overrides units.yaml)
    fallback_unit: str
    fallback_action: str
    fallback_deadline_hours: float = Field(gt=0)
    rules: list[dict[str, Any]]


def load_routing_config(config_dir: Path, units: UnitDirectory) -> tuple[RoutingConfig, list[RoutingRule]]:
    """Read and check ``routing.yaml`` against the unit directory (ConfigError on any problem)."""
    path = Path(config_dir) / ROUTING_FILE
    data = read_config_yaml(path)
    try:
        config = RoutingConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    for topic, unit_id in config.topic_units.items():
        if topic not in TOPIC_IDS:
            raise ConfigError(f"{path}: topic_units names an unknown topic {topic!r}")
        if unit_id not in units:
            raise ConfigError(f"{path}: topic_units[{topic}] names an unknown unit {unit_id!r}")
    for district, unit_id in config.district_units.items():
        if unit_id not in units:
            raise ConfigError(f"{path}: district_units[{district}] names an unknown unit {unit_id!r}")
    if config.fallback_unit not in units:
        raise ConfigError(f"{path}: fallback_unit names an unknown unit {config.fallback_unit!r}")
    rules: list[RoutingRule] = []
    for doc in config.rules:
        try:
            rules.append(validate_rule(doc, units=units))
        except InputError as exc:
            raise ConfigError(f"{path}: rule {doc.get('id', '?')!r}: {exc}") from exc
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise ConfigError(f"{path}: rule ids must be unique")
    return config, rules
