"""The collection commands: crawl --once, sources, import, push (stored raw: the pipeline has its own tests)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from crawl_mocksite import MockSite

from mediawatch.cli import main
from store.sqlite_store import SQLiteStore

SOCIAL = Path(__file__).resolve().parents[1] / "resources" / "crawlers" / "site" / "social"


def write_registry(tmp_path: Path, site: MockSite) -> Path:
    path = tmp_path / "sources.yaml"
    sources = [
        {"id": "bqn", "name": "Báo Quảng Nam", "kind": "press", "method": "rss", "url": site.url("/bqn/feed.rss")},
        {"id": "fb", "name": "Trang cộng đồng", "kind": "social", "method": "export", "url": "export.json"},
    ]
    path.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8")
    (tmp_path / "export.json").write_bytes((SOCIAL / "export.json").read_bytes())
    return path


def test_crawl_once_then_sources(tmp_path: Path, mock_site: MockSite, capsys, monkeypatch) -> None:
    monkeypatch.delenv("MEDIAWATCH_SSRF_ALLOW", raising=False)
    registry, db = write_registry(tmp_path, mock_site), tmp_path / "cli.db"
    argv = ["--db", str(db), "crawl", "--sources", str(registry), "--once", "--delay", "0", "--raw"]
    # loopback is refused unless allow-listed: the feed source fails, nothing is requested
    assert main([*argv, "--only", "bqn"]) == 1
    assert mock_site.paths() == []
    assert main([*argv, "--allow", "127.0.0.1"]) == 0
    out = capsys.readouterr().out
    assert "bqn" in out and "Hoạt động bình thường" in out
    assert main(["--db", str(db), "sources"]) == 0
    listing = capsys.readouterr().out
    assert listing.index("fb") < listing.index("bqn")  # degraded (quarantined rows) before ok
    assert main(["--db", str(db), "sources", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["source_id"]: r["totals"]["new"] for r in rows} == {"bqn": 3, "fb": 3}
    with SQLiteStore(db) as store:
        assert {h.doc["status"] for h in store.list_records("source_health")} == {"ok", "degraded"}


def test_import_and_push(tmp_path: Path, capsys) -> None:
    db = tmp_path / "cli.db"
    assert main(["--db", str(db), "import", str(SOCIAL / "export.csv"), "--source", "nhom-dien-ban", "--raw"]) == 0
    assert "nhom-dien-ban" in capsys.readouterr().out
    assert (
        main(["--db", str(db), "push", "--text", "Tin chuyển tiếp về sạt lở ở Nam Trà My", "--by", "can-bo", "--raw"])
        == 0
    )
    assert capsys.readouterr().out.strip().endswith("created")
    assert main(["--db", str(db), "push", "--raw"]) == 2  # no --text or --file: one-line input error
    assert main(["--db", str(db), "crawl", "--sources", str(tmp_path / "none.yaml"), "--once"]) == 2
    with SQLiteStore(db) as store:
        from store.base import ItemQuery

        items = list(store.iter_items(ItemQuery()))
    assert sorted(i.source_id for i in items) == ["nhom-dien-ban", "nhom-dien-ban", "push"]
