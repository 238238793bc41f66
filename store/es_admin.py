"""Elasticsearch set-up and migration from the JSON files in ``index_config/``.

``setup(client, prefix)`` is idempotent: it (re)puts the component templates, index templates and
lifecycle policy, and creates each index's first version behind its alias when the alias does not
exist yet. ``migrate(client, prefix)`` moves every alias whose index is older than its template's
``version`` to a new index of that version: create, reindex, flip the alias atomically, then copy
what was written to the old index during the reindex (create-only, so nothing is overwritten).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from records.errors import ConfigError, StoreError

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

CONFIG_DIR = Path(__file__).resolve().parent.parent / "index_config"
INDEX_NAMES = ("items", "incidents", "records", "audit", "quarantine", "content_hashes")


@dataclass(frozen=True)
class IndexSpec:
    """One logical index: its template body and where it lives under a prefix."""

    name: str
    version: int
    rollover: bool
    body: dict[str, Any]  # the template file without MediaWatch's own keys

    def alias(self, prefix: str) -> str:
        return f"{prefix}-{self.name}"

    def template_name(self, prefix: str) -> str:
        return f"{prefix}-{self.name}"

    def pattern(self, prefix: str) -> str:
        return f"{prefix}-{self.name}-v*"

    def index_name(self, prefix: str, version: int | None = None) -> str:
        """The first concrete index of a version (rollover generations add -000002, ...)."""
        base = f"{prefix}-{self.name}-v{version or self.version}"
        return f"{base}-000001" if self.rollover else base


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object")
    return data


def load_specs(config_dir: Path = CONFIG_DIR) -> dict[str, IndexSpec]:
    specs = {}
    for name in INDEX_NAMES:
        raw = _read_json(config_dir / "index_templates" / f"{name}.json")
        body = copy.deepcopy(raw)
        meta = body.get("_meta", {})
        specs[name] = IndexSpec(name=name, version=int(body["version"]), rollover=bool(meta.get("rollover")), body=body)
    return specs


def component_templates(prefix: str, config_dir: Path = CONFIG_DIR) -> dict[str, dict[str, Any]]:
    """Component template name → body (``template`` and ``_meta``)."""
    out = {}
    for path in sorted((config_dir / "component_templates").glob("*.json")):
        out[f"{prefix}-{path.stem}"] = _read_json(path)
    return out


def lifecycle_policies(prefix: str, config_dir: Path = CONFIG_DIR) -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted((config_dir / "ilm").glob("*.json")):
        out[f"{prefix}-{path.stem}"] = _read_json(path)
    return out


def index_template(spec: IndexSpec, prefix: str, *, replicas: int | None = None) -> dict[str, Any]:
    """The keyword arguments of ``indices.put_index_template`` for one index (``replicas`` overrides
    the file's ``number_of_replicas``: 0 on a single node, else the cluster stays yellow)."""
    body = copy.deepcopy(spec.body)
    template = body["template"]
    settings = template.setdefault("settings", {})
    if replicas is not None:
        settings["number_of_replicas"] = replicas
    if spec.rollover:
        settings["index.lifecycle.name"] = f"{prefix}-{settings.get('index.lifecycle.name', spec.name)}"
        settings["index.lifecycle.rollover_alias"] = spec.alias(prefix)
    else:
        settings.pop("index.lifecycle.name", None)
    return {
        "name": spec.template_name(prefix),
        "index_patterns": [spec.pattern(prefix)],
        "composed_of": [f"{prefix}-{c}" for c in body.get("composed_of", [])],
        "priority": body.get("priority", 200),
        "version": spec.version,
        "template": template,
        "meta": body.get("_meta", {}),
    }


def _alias_indices(client: Elasticsearch, alias: str) -> dict[str, dict[str, Any]]:
    """Concrete indices behind an alias with their alias properties; {} when the alias is missing."""
    from elasticsearch import NotFoundError

    try:
        resp = client.indices.get_alias(name=alias)
    except NotFoundError:
        return {}
    return {index: info.get("aliases", {}).get(alias, {}) for index, info in resp.body.items()}


def put_templates(
    client: Elasticsearch, prefix: str, config_dir: Path = CONFIG_DIR, *, replicas: int | None = None
) -> None:
    for name, body in lifecycle_policies(prefix, config_dir).items():
        client.ilm.put_lifecycle(name=name, policy=body["policy"])
    for name, body in component_templates(prefix, config_dir).items():
        client.cluster.put_component_template(name=name, template=body["template"], meta=body.get("_meta"))
    for spec in load_specs(config_dir).values():
        client.indices.put_index_template(**index_template(spec, prefix, replicas=replicas))


def setup(
    client: Elasticsearch, prefix: str, config_dir: Path = CONFIG_DIR, *, replicas: int | None = None
) -> dict[str, str]:
    """Idempotent: templates and policies are (re)put; missing indices are created behind their alias.

    Returns alias → the index created, or "exists".
    """
    from elasticsearch import BadRequestError

    put_templates(client, prefix, config_dir, replicas=replicas)
    done: dict[str, str] = {}
    for spec in load_specs(config_dir).values():
        alias = spec.alias(prefix)
        if _alias_indices(client, alias):
            done[alias] = "exists"
            continue
        index = spec.index_name(prefix)
        try:
            client.indices.create(index=index, aliases={alias: {"is_write_index": True}})
        except BadRequestError as exc:  # created by a concurrent setup
            if "resource_already_exists_exception" not in str(exc):
                raise StoreError(f"cannot create {index}: {exc}") from exc
        done[alias] = index
    return done


def _version_of(index: str, spec: IndexSpec, prefix: str) -> int:
    rest = index[len(f"{prefix}-{spec.name}-v") :]
    digits = rest.split("-", 1)[0]
    return int(digits) if digits.isdigit() else 0


def migrate(
    client: Elasticsearch, prefix: str, config_dir: Path = CONFIG_DIR, *, replicas: int | None = None
) -> dict[str, str]:
    """Reindex every alias whose indices are older than its template version; flip the alias atomically.

    Returns alias → what happened ("up to date", "created", or "old → new (n documents)").
    """
    put_templates(client, prefix, config_dir, replicas=replicas)
    report: dict[str, str] = {}
    for spec in load_specs(config_dir).values():
        alias = spec.alias(prefix)
        current = _alias_indices(client, alias)
        if not current:
            client.indices.create(index=spec.index_name(prefix), aliases={alias: {"is_write_index": True}})
            report[alias] = "created"
            continue
        if all(_version_of(i, spec, prefix) >= spec.version for i in current):
            report[alias] = "up to date"
            continue
        new_index = spec.index_name(prefix)
        client.indices.create(index=new_index)
        resp = client.reindex(
            source={"index": alias},
            dest={"index": new_index, "op_type": "create"},
            conflicts="proceed",
            wait_for_completion=True,
            refresh=True,
        )
        actions: list[dict[str, Any]] = [{"remove": {"index": old, "alias": alias}} for old in current]
        actions.append({"add": {"index": new_index, "alias": alias, "is_write_index": True}})
        client.indices.update_aliases(actions=actions)
        # documents written to the old indices while the first pass ran
        client.reindex(
            source={"index": sorted(current)},
            dest={"index": new_index, "op_type": "create"},
            conflicts="proceed",
            wait_for_completion=True,
            refresh=True,
        )
        report[alias] = f"{', '.join(sorted(current))} → {new_index} ({resp.body.get('created', 0)} documents)"
    return report
