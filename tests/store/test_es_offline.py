"""What can be checked about the Elasticsearch store without a server: index configuration,
template names and aliases, structured queries from ItemQuery, bulk actions and upsert planning."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from mediawatch.settings import Settings
from records.errors import ConfigError
from records.schema import AuditEntry, Incident, Item, QuarantinedRecord, SourceKind
from store.base import IncidentQuery, ItemQuery, UpsertOutcome
from store.elasticsearch_store import ElasticsearchStore
from store.es_admin import (
    CONFIG_DIR,
    INDEX_NAMES,
    component_templates,
    index_template,
    lifecycle_policies,
    load_specs,
    setup,
)
from store.es_queries import (
    DERIVED_ITEM_FIELDS,
    create_item_action,
    histogram_aggs,
    incident_query,
    incident_source,
    item_query,
    item_sort,
    item_source,
    replace_item_action,
)
from store.es_upsert import Located, plan_upserts
from tests.store.contract import T0, make_item


def mapping(name: str) -> dict[str, Any]:
    return load_specs()[name].body["template"]["mappings"]


def walk(node: Any) -> list[tuple[str, Any]]:
    """Every (key, value) pair in a nested JSON structure."""
    out: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((key, value))
            out += walk(value)
    elif isinstance(node, list):
        for value in node:
            out += walk(value)
    return out


# -- configuration files -------------------------------------------------------------------------
def test_every_config_file_is_json() -> None:
    files = sorted(CONFIG_DIR.rglob("*.json"))
    assert len(files) >= len(INDEX_NAMES) + 2
    for path in files:
        assert isinstance(json.loads(path.read_text(encoding="utf-8")), dict), path


@pytest.mark.parametrize("name", INDEX_NAMES)
def test_mappings_are_strict(name: str) -> None:
    assert mapping(name)["dynamic"] == "strict"


@pytest.mark.parametrize(
    ("name", "source"),
    [
        (
            "items",
            item_source(
                make_item(
                    "https://a.vn/1",
                    "Lũ",
                    "lụt",
                    topics=["disaster"],
                    districts=["Hội An"],
                    flags=["scam"],
                    author="Tác giả",
                )
            ),
        ),
        ("incidents", incident_source(Incident(id="i", title="t", first_seen=T0, last_seen=T0))),
        ("quarantine", QuarantinedRecord(id="q", reason="r", raw="x").model_dump(mode="json")),
        ("audit", AuditEntry(actor="a", action="b", target="c").model_dump(mode="json")),
        ("records", {"collection": "users", "key": "lan", "version": 1, "doc": {}}),
        ("content_hashes", {"owner": "abc"}),
    ],
)
def test_documents_fit_the_strict_mappings(name: str, source: dict[str, Any]) -> None:
    assert set(source) <= set(mapping(name)["properties"])


def test_every_item_field_is_mapped() -> None:
    assert set(Item.model_fields) | set(DERIVED_ITEM_FIELDS) == set(mapping("items")["properties"])


def test_author_is_kept_but_never_indexed_or_aggregated() -> None:
    author = mapping("items")["properties"]["author"]
    assert author["index"] is False and author["doc_values"] is False


def test_folded_and_segmented_analyzers() -> None:
    analysis = component_templates("mw")["mw-analysis"]["template"]["settings"]["analysis"]
    assert "đ => d" in analysis["char_filter"]["vi_d_stroke"]["mappings"]
    folded = analysis["analyzer"]["vi_folded"]
    assert folded["char_filter"] == ["vi_d_stroke"] and folded["filter"] == ["lowercase", "asciifolding"]
    assert analysis["analyzer"]["vi_segmented"]["tokenizer"] == "whitespace"
    props = mapping("items")["properties"]
    assert props["title"]["fields"]["folded"]["analyzer"] == "vi_folded"
    assert props["text"]["fields"]["folded"]["analyzer"] == "vi_folded"
    assert props["segmented"]["analyzer"] == "vi_segmented"
    assert props["title"]["fields"]["keyword"]["type"] == "keyword"
    used = {v for k, v in walk(load_specs()) if k == "analyzer"}
    assert used <= set(analysis["analyzer"])


def test_template_names_patterns_and_aliases() -> None:
    specs = load_specs()
    items = index_template(specs["items"], "mw")
    assert items["name"] == "mw-items"
    assert items["index_patterns"] == ["mw-items-v*"]
    assert items["composed_of"] == ["mw-analysis"]
    assert items["template"]["settings"]["index.lifecycle.name"] == "mw-items"
    assert items["template"]["settings"]["index.lifecycle.rollover_alias"] == "mw-items"
    assert specs["items"].index_name("mw") == "mw-items-v1-000001"
    assert specs["incidents"].index_name("mw") == "mw-incidents-v1"
    assert specs["incidents"].alias("mw") == "mw-incidents"
    assert "index.lifecycle.name" not in index_template(specs["incidents"], "mw")["template"]["settings"]
    for spec in specs.values():
        body = index_template(spec, "mw")
        assert all(c in component_templates("mw") for c in body["composed_of"])
        assert "_meta" not in body and "rollover" not in body


def test_lifecycle_policy_rolls_over_monthly() -> None:
    policy = lifecycle_policies("mw")["mw-items"]["policy"]
    assert policy["phases"]["hot"]["actions"]["rollover"]["max_age"] == "30d"


class _Resp:
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body


class FakeAdminClient:
    """Records set-up calls; aliases appear once their index is created."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.aliases: dict[str, dict[str, Any]] = {}
        parent = self

        class Namespace:
            def __init__(self, ns: str) -> None:
                self.ns = ns

            def __getattr__(self, method: str) -> Any:
                def call(**kwargs: Any) -> Any:
                    parent.calls.append((f"{self.ns}.{method}", kwargs))
                    if method == "get_alias":
                        return _Resp(parent.aliases.get(kwargs["name"], {}))
                    if method == "create":
                        for alias, props in kwargs.get("aliases", {}).items():
                            parent.aliases[alias] = {kwargs["index"]: {"aliases": {alias: props}}}
                    return _Resp({})

                return call

        self.indices = Namespace("indices")
        self.cluster = Namespace("cluster")
        self.ilm = Namespace("ilm")


def test_setup_is_idempotent() -> None:
    client = FakeAdminClient()
    first = setup(client, "mw")  # type: ignore[arg-type]
    assert first["mw-items"] == "mw-items-v1-000001"
    assert set(first) == {f"mw-{n}" for n in INDEX_NAMES}
    created = [c for c in client.calls if c[0] == "indices.create"]
    assert all(c[1]["aliases"][next(iter(c[1]["aliases"]))]["is_write_index"] for c in created)
    client.calls.clear()
    second = setup(client, "mw")  # type: ignore[arg-type]
    assert set(second.values()) == {"exists"}
    assert not [c for c in client.calls if c[0] == "indices.create"]
    assert [c for c in client.calls if c[0] == "indices.put_index_template"]


# -- queries ---------------------------------------------------------------------------------------
def test_filters_become_terms_and_ranges() -> None:
    q = ItemQuery(
        topics=["disaster"],
        districts=["Đại Lộc"],
        flags=["scam"],
        sources=["s"],
        kinds=[SourceKind.social],
        since=T0,
        until=T0 + timedelta(days=1),
        flagged=True,
        incident_id="i",
    )
    filters = item_query(q)["bool"]["filter"]
    assert {"terms": {"topics": ["disaster"]}} in filters
    assert {"terms": {"districts": ["Đại Lộc"]}} in filters
    assert {"terms": {"flag_kinds": ["scam"]}} in filters
    assert {"terms": {"kind": ["social"]}} in filters
    assert {"term": {"flagged": True}} in filters
    assert {"term": {"incident_id": "i"}} in filters
    assert {"range": {"sort_time": {"gte": "2026-10-01T00:00:00+00:00", "lt": "2026-10-02T00:00:00+00:00"}}} in filters


@pytest.mark.parametrize("text", ['lũ" OR (title:x AND *)', "lu lut", '"lụt lớn" Đại Lộc', "NEAR(a b) ^2 ~"])
def test_user_text_is_never_query_syntax(text: str) -> None:
    query = item_query(ItemQuery(text=text))
    keys = {k for k, _ in walk(query)}
    assert not keys & {"query_string", "simple_query_string", "regexp", "wildcard", "script"}
    must = query["bool"]["must"]
    assert must and all(set(clause) == {"multi_match"} for clause in must)
    for clause in must + query["bool"]["should"]:
        assert all(ch not in clause["multi_match"]["query"] for ch in '"():*^~')


def test_folded_terms_required_and_exact_terms_boosted() -> None:
    query = item_query(ItemQuery(text='lũ "lụt lớn"'))["bool"]
    assert [c["multi_match"]["query"] for c in query["must"]] == ["lũ", "lụt lớn"]
    assert all("title.folded^2" in c["multi_match"]["fields"] for c in query["must"])
    assert query["must"][1]["multi_match"]["type"] == "phrase"
    assert all(
        c["multi_match"]["fields"] == ["title^2", "text"] and c["multi_match"]["boost"] > 1 for c in query["should"]
    )


def test_punctuation_only_finds_nothing() -> None:
    assert item_query(ItemQuery(text='" ( *'))["bool"]["must_not"] == [{"match_all": {}}]


def test_sorts_end_with_a_unique_tiebreaker() -> None:
    for order in ("relevance", "newest", "oldest"):
        assert list(item_sort(order)[-1]) == ["id"]


def test_histogram_and_incident_queries() -> None:
    aggs = histogram_aggs("hour", "district")["hist"]
    assert aggs["date_histogram"]["calendar_interval"] == "hour" and aggs["date_histogram"]["time_zone"] == "UTC"
    assert aggs["aggs"]["facet"]["terms"]["field"] == "districts"
    filters = incident_query(IncidentQuery(min_severity=3, flags=["scam"]))["bool"]["filter"]
    assert {"range": {"severity": {"gte": 3}}} in filters and {"terms": {"flag_kinds": ["scam"]}} in filters


# -- bulk actions and upsert planning --------------------------------------------------------------
def test_bulk_actions() -> None:
    item = make_item("https://a.vn/1", "Lũ", "lụt")
    create = create_item_action("mw-items", item)
    assert create["_op_type"] == "create" and create["_id"] == item.id and create["_index"] == "mw-items"
    replace = replace_item_action("mw-items-v1-000001", item, seq_no=4, primary_term=1)
    assert replace["_op_type"] == "index" and replace["if_seq_no"] == 4 and replace["if_primary_term"] == 1
    assert replace["_index"] == "mw-items-v1-000001"


def _located(item: Item) -> Located:
    return Located(index="mw-items-v1-000001", seq_no=7, primary_term=1, item=item)


def test_plan_outcomes() -> None:
    stored = make_item("https://a.vn/1", "Bão số 5", "gió cấp 10")
    changed = make_item("https://a.vn/1", "Bão số 5", "gió cấp 12")
    copy = make_item("https://b.vn/x", "Bão số 5", "gió cấp 10")
    new = make_item("https://a.vn/2", "Mưa lớn", "ngập")
    new_copy = make_item("https://c.vn/2", "Mưa lớn", "ngập")
    plan = plan_upserts(
        [stored, copy, new, new, new_copy, changed], {stored.id: _located(stored)}, {stored.content_hash: stored.id}
    )
    assert [r.outcome for r in plan.results] == [
        UpsertOutcome.unchanged,
        UpsertOutcome.duplicate,
        UpsertOutcome.created,
        UpsertOutcome.unchanged,
        UpsertOutcome.duplicate,
        UpsertOutcome.updated,
    ]
    assert plan.results[1].item_id == stored.id and plan.results[4].item_id == new.id
    write = plan.writes[stored.id]
    assert write.kind == "replace" and write.item.text == "gió cấp 12"
    assert [v.text for v in write.item.versions] == ["gió cấp 10"]
    assert copy.url in write.item.syndicated_with
    action = write.action("mw-items")
    assert action["if_seq_no"] == 7 and action["_index"] == "mw-items-v1-000001"
    created = plan.writes[new.id]
    assert created.kind == "create" and new_copy.url in created.item.syndicated_with
    assert created.action("mw-items")["_op_type"] == "create"
    assert plan.claims == {new.content_hash: new.id, changed.content_hash: stored.id}


def test_plan_ignores_claims_of_missing_items() -> None:
    item = make_item("https://a.vn/3", "Tin", "nội dung")
    plan = plan_upserts([item], {}, {item.content_hash: "deleted-item"})
    assert plan.results[0].outcome == UpsertOutcome.created
    actions = plan.claim_actions("mw-content_hashes")
    assert actions == [
        {"_op_type": "index", "_index": "mw-content_hashes", "_id": item.content_hash, "_source": {"owner": item.id}}
    ]
    fresh = plan_upserts([item], {}, {})
    assert fresh.claim_actions("h")[0]["_op_type"] == "create"


def test_from_settings_needs_a_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        ElasticsearchStore.from_settings(Settings(_env_file=None, store="elasticsearch"))  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("name", "model"), [("incidents", Incident), ("quarantine", QuarantinedRecord), ("audit", AuditEntry)]
)
def test_every_model_field_is_mapped(name: str, model: type) -> None:
    """A field added to the records must be added to the strict mapping too (this test says where)."""
    missing = set(model.model_fields) - set(mapping(name)["properties"])
    assert not missing, f"index_config/index_templates/{name}.json lacks {sorted(missing)}"


def test_es_commands_need_a_url(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from mediawatch.cli import main

    monkeypatch.delenv("ELASTICSEARCH_URL", raising=False)
    for command in ("es-setup", "es-migrate"):
        assert main([command]) == 2
        err = capsys.readouterr().err
        assert "ELASTICSEARCH_URL" in err and len(err.strip().splitlines()) == 1


def test_replicas_override() -> None:
    spec = load_specs()["items"]
    assert index_template(spec, "mw", replicas=0)["template"]["settings"]["number_of_replicas"] == 0
    assert index_template(spec, "mw")["template"]["settings"]["number_of_replicas"] == 1


class _AliasClient:
    def __init__(self, existing: set[str]) -> None:
        self.existing = existing
        self.indices = self

    def exists_alias(self, *, name: str) -> bool:
        return name in self.existing


def test_start_up_check_names_missing_aliases() -> None:
    store = ElasticsearchStore(_AliasClient({"mw-items", "mw-incidents"}), "mw")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"mw-records.*es-setup"):
        store.check()
    ElasticsearchStore(_AliasClient({f"mw-{n}" for n in INDEX_NAMES}), "mw").check()  # type: ignore[arg-type]
