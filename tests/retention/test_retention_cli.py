"""`mediawatch retention [--dry-run] [--json]` on a store file."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from mediawatch.cli import main
from records.identity import content_hash, item_id
from records.schema import Item, SourceKind, utcnow
from store.base import ItemQuery
from store.sqlite_store import SQLiteStore


def old_social_item(days: int) -> Item:
    url = f"https://www.facebook.com/page/posts/{days}"
    when = utcnow() - timedelta(days=days)
    return Item(
        id=item_id(url),
        url=url,
        content_hash=content_hash("", f"bài {days}"),
        source_id="fb",
        kind=SourceKind.social,
        text=f"bài {days}",
        published_at=when,
        collected_at=when,
    )


def test_retention_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "cli.db"
    with SQLiteStore(db) as store:
        store.upsert_items([old_social_item(40), old_social_item(5)])
    assert main(["--db", str(db), "retention", "--dry-run", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["dry_run"] is True and report["deleted_unflagged_social"] == 1 and report["deleted"] == 1
    assert main(["--db", str(db), "retention"]) == 0
    assert "deleted 1" in capsys.readouterr().out
    with SQLiteStore(db) as store:
        assert [i.text for i in store.iter_items(ItemQuery())] == ["bài 5"]
