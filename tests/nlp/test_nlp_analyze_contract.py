"""The `mediawatch analyze` contract (docs/analyze.md): one valid output line per input line, never a crash."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediawatch.cli import main
from mediawatch.commands.analyze import analyze_stream
from nlp.claims import KnownClaim
from nlp.enrich import Enricher
from records.schema import TOPIC_IDS

CLAIM_TEXT = "Đập Sông Tranh 2 bị nứt sắp vỡ, dân phải sơ tán gấp"
CLAIMS = [KnownClaim(claim_id="k1", claim=CLAIM_TEXT, correction="Đập an toàn")]
ENRICHER = Enricher.load(models_dir=Path("models"), config_dir=Path("config"), claims=CLAIMS, require_models=False)
KINDS = {"misinformation", "scam", "hate_speech"}


def run_lines(lines: list[bytes]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    out = io.StringIO()
    counts = analyze_stream(ENRICHER, io.BytesIO(b"".join(line + b"\n" for line in lines)), out)
    return [json.loads(line) for line in out.getvalue().splitlines()], counts


def assert_valid_result(obj: dict[str, Any]) -> None:
    assert isinstance(obj["id"], str)
    assert obj["language"] in ("vi", "en", "und")
    assert all(t in TOPIC_IDS for t in obj["topics"])
    for place in obj["places"]:
        assert isinstance(place["mention"], str) and place["mention"]
        assert place["district"] is None or isinstance(place["district"], str)
    for flag in obj["flags"]:
        assert flag["kind"] in KINDS
        assert 0.0 <= flag["score"] <= 1.0
        assert flag["reasons"] and all(isinstance(r, str) and r for r in flag["reasons"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(st.text(max_size=400), st.text(alphabet="đập sông tranh nứt vỡ dân sơ tán 2 .!\n", max_size=300)),
    title=st.one_of(st.none(), st.text(max_size=60)),
)
def test_arbitrary_unicode_never_crashes(text: str, title: str | None) -> None:
    record = {"id": "p", "text": text, "title": title}
    results, counts = run_lines([json.dumps(record).encode()])
    assert counts == {"ok": 1, "bad": 0, "failed": 0}
    assert len(results) == 1
    assert_valid_result(results[0])


def _expected_outputs(lines: list[bytes]) -> int:
    expected = 0
    for number, line in enumerate(lines, start=1):
        try:
            expected += bool(line.decode("utf-8-sig" if number == 1 else "utf-8").strip())
        except UnicodeDecodeError:
            expected += 1
    return expected


@settings(max_examples=40, deadline=None)
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_give_one_line_each(raw: bytes) -> None:
    lines = raw.split(b"\n")
    results, counts = run_lines(lines)
    assert len(results) == _expected_outputs(lines) == counts["ok"] + counts["bad"]
    assert counts["failed"] == 0
    for obj in results:
        assert ("error" in obj and isinstance(obj["line"], int)) or isinstance(obj["id"], str)


def test_error_lines_keep_order_and_numbers() -> None:
    lines = [
        b'{"id": "a", "text": "L\xc5\xa9 l\xe1\xbb\xa5t \xe1\xbb\x9f \xc4\x90\xe1\xba\xa1i L\xe1\xbb\x99c"}',
        b"not json",
        b"",
        b'{"text": "no id"}',
        b'{"id": "b", "text": ""}',
        b"[1, 2]",
        b'{"id": "c", "text": 123}',
        b"\xff\xfe bad utf-8",
        b'{"id": 7, "text": "Hello, this is an English text about the weather."}',
    ]
    results, counts = run_lines(lines)
    assert [r.get("line") for r in results] == [None, 2, 4, None, 6, 7, 8, None]
    assert results[0]["id"] == "a" and results[0]["places"][0]["district"] == "Đại Lộc"
    assert "disaster" in results[0]["topics"]
    assert results[1]["error"].startswith("invalid JSON")
    assert results[2] == {"line": 4, "id": None, "error": 'missing or invalid "id" (a non-empty string or an integer)'}
    assert results[3] == {"id": "b", "language": "und", "topics": [], "places": [], "flags": []}
    assert results[5]["id"] == "c" and "text" in results[5]["error"]
    assert results[6]["error"].startswith("invalid UTF-8")
    assert results[7]["id"] == "7" and results[7]["language"] == "en"
    assert counts == {"ok": 3, "bad": 5, "failed": 0}


def test_very_long_text() -> None:
    text = ("Mưa lớn kéo dài ở Hội An, nước sông Hoài dâng cao. " * 40_000)[:2_000_000]
    results, counts = run_lines([json.dumps({"id": "long", "text": text}, ensure_ascii=False).encode()])
    assert counts["ok"] == 1
    assert_valid_result(results[0])
    assert results[0]["places"][0]["district"] == "Hội An"


def test_cli_reports_missing_models_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MEDIAWATCH_MODELS_DIR", str(tmp_path))
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "x"}\n', encoding="utf-8")
    code = main(["--db", str(tmp_path / "none.db"), "analyze", "--no-store", str(source)])
    err = capsys.readouterr().err
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and "make train" in err


def test_cli_end_to_end_with_shipped_models(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not (Path("models") / "shipped.json").is_file():
        pytest.skip("models/shipped.json not present yet (run `make train`)")
    source = tmp_path / "in.jsonl"
    claims = tmp_path / "claims.jsonl"
    claims.write_text(json.dumps({"claim_id": "k", "claim": "Đập Sông Tranh 2 bị nứt sắp vỡ, dân phải sơ tán gấp",
                                  "correction": "Đập an toàn"}, ensure_ascii=False) + "\n", encoding="utf-8")
    source.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in [
            {"id": "1", "title": "Lũ ở Đại Lộc", "text": "Mưa lũ làm ngập xã Đại Hồng."},
            {"id": "2", "text": "dap song tranh 2 bi nut sap vo, dan phai so tan gap, chia se ngay"},
            {"text": "no id"},
        ]) + "\n",
        encoding="utf-8",
    )
    code = main(["--db", str(tmp_path / "none.db"), "analyze", "--no-store", "--claims", str(claims), str(source)])
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert code == 2
    assert len(lines) == 3
    assert_valid_result(lines[0])
    assert "disaster" in lines[0]["topics"]
    assert "misinformation" in {f["kind"] for f in lines[1]["flags"]}
    assert lines[2]["error"].startswith("missing or invalid")


def test_cli_reads_recent_official_statements_from_the_store(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import UTC, datetime, timedelta

    from records.schema import Item, SourceKind
    from store.sqlite_store import SQLiteStore
    from tests.factories import CAU_LAU_BULLETIN, CAU_LAU_POST

    db = tmp_path / "s.db"
    with SQLiteStore(db) as store:
        store.upsert_items([Item.identified(url="https://quangnam.gov.vn/thong-bao/lu-15-gio", source_id="portal",
                                            kind=SourceKind.official, text=CAU_LAU_BULLETIN,
                                            published_at=datetime.now(UTC) - timedelta(hours=2))])
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "p", "text": CAU_LAU_POST}) + "\n", encoding="utf-8")
    kinds = {}
    for extra in ([], ["--no-store"]):
        assert main(["--db", str(db), "analyze", *extra, str(source)]) == 0
        [line] = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
        kinds[bool(extra)] = {f["kind"] for f in line["flags"]}
    assert "misinformation" in kinds[True]  # without the store the model's question stands
    assert "misinformation" not in kinds[False]  # the province said the same two hours earlier
