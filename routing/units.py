"""The units of the plan (departments, districts' People's Committees, the task force, ...) from
``config/units.yaml``. Names and contacts are configuration: units merged in 2025 keep their 2023 id
and carry the new name as an alias."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from records.errors import ConfigError
from records.textfold import fold_words

UNITS_FILE = "units.yaml"


class Unit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str  # as the 2023 plan names it
    short: str | None = None
    kind: str  # task_force, party_board, association, police, department, provincial_office, district, press
    district: str | None = None  # for a district's People's Committee: the district's canonical name
    aliases: list[str] = Field(default_factory=list)  # other and later (2025 merged) names
    notes: str | None = None
    contacts: dict[str, str] = Field(default_factory=dict)  # placeholders until the province fills them in


def read_config_yaml(path: Path) -> Any:
    """The YAML document of a configuration file; ConfigError when it is missing or not YAML."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"missing {path}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc


def district_key(name: str) -> str:
    """A district name compared without diacritics, case, spaces or the unit-type word."""
    words = [w for w in fold_words(name) if w not in {"huyen", "thi", "xa", "thanh", "pho", "tp", "ubnd"}]
    return "".join(words)


class UnitDirectory:
    """Units by id, and district names (any spelling) to the district's People's Committee."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.units: dict[str, Unit] = {}
        for unit in units:
            if unit.id in self.units:
                raise ConfigError(f"{UNITS_FILE}: unit id {unit.id!r} appears twice")
            self.units[unit.id] = unit
        self._districts = {district_key(u.district): u.id for u in self.units.values() if u.district}

    @classmethod
    def load(cls, config_dir: Path) -> UnitDirectory:
        path = Path(config_dir) / UNITS_FILE
        data = read_config_yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("units"), list):
            raise ConfigError(f"{path}: expected a mapping with a 'units' list")
        try:
            return cls(Unit.model_validate(doc) for doc in data["units"])
        except ValidationError as exc:
            raise ConfigError(f"{path}: {exc}") from exc

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self.units

    def get(self, unit_id: str) -> Unit | None:
        return self.units.get(unit_id)

    def name(self, unit_id: str) -> str:
        """The unit's display name (the id itself for units outside the directory, e.g. a press source)."""
        unit = self.units.get(unit_id)
        return unit.name if unit else unit_id

    def district_unit(self, district: str) -> str | None:
        """The People's Committee of a district named in any spelling, or None."""
        return self._districts.get(district_key(district))
