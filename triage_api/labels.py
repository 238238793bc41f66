"""Vietnamese display names of topics and units, read from ``config/topics.yaml`` and ``config/units.yaml``."""

from __future__ import annotations

from pathlib import Path

import yaml

from records.errors import ConfigError
from records.schema import TOPIC_IDS


def _read_optional(path: Path) -> object:
    """The YAML document at ``path``, or None when there is no such file."""
    if not path.is_file():
        return None
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc


def load_topic_names(config_dir: Path) -> dict[str, str]:
    """Map topic id → Vietnamese name. Accepts ``{id: name}``, ``{id: {name|vi: ...}}``,
    ``{topics: ...}`` or a list of ``{id, name|vi}``; falls back to the ids if the file is absent."""
    names = {topic: topic for topic in TOPIC_IDS}
    data = _read_optional(config_dir / "topics.yaml")
    if isinstance(data, dict) and "topics" in data:
        data = data["topics"]
    entries: list[tuple[object, object]] = []
    if isinstance(data, dict):
        entries = list(data.items())
    elif isinstance(data, list):
        entries = [(e.get("id"), e) for e in data if isinstance(e, dict)]
    for topic, value in entries:
        name = value
        if isinstance(value, dict):
            name = value.get("vi") or value.get("name_vi") or value.get("name") or value.get("label")
        if isinstance(topic, str) and topic in names and isinstance(name, str) and name.strip():
            names[topic] = name.strip()
    return names


def load_unit_names(config_dir: Path) -> dict[str, str]:
    """Map unit id → Vietnamese name from ``config/units.yaml`` (empty if the file is absent)."""
    data = _read_optional(config_dir / "units.yaml")
    units = data.get("units", []) if isinstance(data, dict) else data
    names: dict[str, str] = {}
    for unit in units if isinstance(units, list) else []:
        if isinstance(unit, dict) and isinstance(unit.get("id"), str):
            names[unit["id"]] = str(unit.get("name") or unit["id"])
    return names
