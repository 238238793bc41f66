"""`mediawatch digest`, `mediawatch report`, `mediawatch policy` and `mediawatch alerts` write and do what they say."""

from __future__ import annotations

from datetime import timedelta

from docx import Document

from alerts.synthetic import make_item
from mediawatch.cli import main
from store.sqlite_store import SQLiteStore


def test_digest_and_report_commands_write_files(seeded, tmp_path, capsys) -> None:
    db = str(seeded.path)
    seeded.close()
    html = tmp_path / "digest.html"
    assert main(["--db", db, "digest", "--week", "2026-W48", "--out", str(html)]) == 0
    assert "Bản tin tổng hợp thông tin tuần 2026-W48" in html.read_text(encoding="utf-8")
    docx_path = tmp_path / "bc" / "bao-cao.docx"
    assert main(["--db", db, "report", "--period", "2026-H2", "--out", str(docx_path)]) == 0
    assert any(t.rows[0].cells[0].text == "Chủ đề" for t in Document(str(docx_path)).tables)
    assert (tmp_path / "bc" / "bao-cao_theo_chu_de.csv").exists()
    assert main(["--db", db, "report", "--period", "2026-H5"]) == 2
    assert "period must look like" in capsys.readouterr().err


def test_policy_and_alert_commands(tmp_path, capsys) -> None:
    db = str(tmp_path / "cli.db")
    assert main(["--db", db, "policy", "add", "--title", "Dự thảo quy định học phí", "--keywords", "học phí,miễn giảm",
                 "--opens", "2026-11-20", "--closes", "2026-12-20"]) == 0
    policy_id = capsys.readouterr().out.strip()
    assert main(["--db", db, "policy", "list"]) == 0
    assert policy_id in capsys.readouterr().out
    assert main(["--db", db, "policy", "add", "--title", "X", "--keywords", "a", "--opens", "2026-12-20",
                 "--closes", "2026-11-20"]) == 2

    # a burst of disaster items in the last three hours, nothing before: the topic rule fires once
    store = SQLiteStore(db)
    from records.schema import utcnow

    now = utcnow()
    store.upsert_items([make_item(i, now - timedelta(minutes=5 + i * 3), topics=["disaster"]) for i in range(40)])
    store.close()
    assert main(["--db", db, "alerts", "run", "--once"]) == 0
    out = capsys.readouterr().out
    assert "spike" in out and "Thiên tai" in out
    assert main(["--db", db, "alerts", "run", "--once"]) == 0
    assert capsys.readouterr().out == ""  # nothing new
    assert main(["--db", db, "alerts", "list"]) == 0
    alert_id = capsys.readouterr().out.split("\t")[0]
    assert main(["--db", db, "alerts", "ack", alert_id]) == 0
    assert main(["--db", db, "alerts", "silence", "--scope", "topic", "--value", "disaster", "--for", "2h"]) == 0
    assert main(["--db", db, "alerts", "silence", "--scope", "topic", "--for", "2x"]) == 2
    assert main(["--db", db, "alerts", "rules"]) == 0
    assert "spike-topic" in capsys.readouterr().out
