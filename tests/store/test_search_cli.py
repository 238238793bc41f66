"""`mediawatch search`: output contract, filters, newest first, errors as one line."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from mediawatch.cli import main
from records.schema import SourceKind
from store.sqlite_store import SQLiteStore
from tests.store.contract import T0, make_item


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    with SQLiteStore(path) as store:
        store.upsert_items(
            [
                make_item(
                    "https://a.vn/1",
                    "Lũ lụt ở Đại Lộc",
                    "nước lên",
                    topics=["disaster"],
                    districts=["Đại Lộc"],
                    published_at=T0,
                ),
                make_item(
                    "https://a.vn/2",
                    "Giá cá tăng ở Hội An",
                    "chợ",
                    topics=["economy"],
                    districts=["Hội An"],
                    published_at=T0 + timedelta(days=2),
                ),
                make_item(
                    "https://fb.com/3",
                    "Tin đồn vỡ đập",
                    "lu lut lon",
                    kind=SourceKind.social,
                    source="fb-page",
                    flags=["misinformation"],
                    published_at=T0 + timedelta(days=1),
                ),
            ]
        )
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_lines_with_the_contract_fields(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--db", str(db), "search", "--json", "lu", "lut")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert {r["title"] for r in rows} == {"Lũ lụt ở Đại Lộc", "Tin đồn vỡ đập"}
    for row in rows:
        assert {"id", "url", "title", "published_at", "topics", "places", "flags"} <= row.keys()
    flagged = next(r for r in rows if r["flags"])
    assert flagged["flags"][0]["kind"] == "misinformation" and flagged["flags"][0]["reasons"]


def test_without_query_newest_first(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--db", str(db), "search", "--json")
    assert code == 0
    assert [json.loads(line)["url"] for line in out.splitlines()] == [
        "https://a.vn/2",
        "https://fb.com/3",
        "https://a.vn/1",
    ]


def test_filters_and_plain_output(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--db", str(db), "search", "--district", "Hội An", "--topic", "economy")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 1 and "Giá cá tăng ở Hội An" in lines[0] and "https://a.vn/2" in lines[0]
    code, out, _ = run_cli(capsys, "--db", str(db), "search", "--json", "--flag", "misinformation", "--kind", "social")
    assert [json.loads(line)["url"] for line in out.splitlines()] == ["https://fb.com/3"]
    code, out, _ = run_cli(
        capsys, "--db", str(db), "search", "--json", "--since", "2026-10-02", "--until", "2026-10-02"
    )
    assert [json.loads(line)["url"] for line in out.splitlines()] == ["https://fb.com/3"]
    code, out, _ = run_cli(capsys, "--db", str(db), "search", "--json", "--limit", "1")
    assert len(out.splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("--since", "hôm qua"), "--since"),
        (("--until", "2026-13-01"), "--until"),
        (("--limit", "0"), "--limit"),
        (("--since", "2026-10-05", "--until", "2026-10-01"), "--since"),
    ],
)
def test_bad_input_is_one_line(
    db: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], needle: str
) -> None:
    code, out, err = run_cli(capsys, "--db", str(db), "search", *argv)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err and "Traceback" not in err


def test_query_syntax_is_not_an_error(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_cli(capsys, "--db", str(db), "search", '"', "AND", "(")
    assert code == 0 and err == ""
