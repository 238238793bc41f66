"""The desk's CLI: `users add/list/token`, `audit verify/export`, and `serve` refusing to start without
a secret key."""

from __future__ import annotations

import csv
import re
import sqlite3

from mediawatch.cli import main


def test_users_add_prints_a_one_time_password_and_a_working_token(tmp_path, capsys):
    db = str(tmp_path / "cli.db")
    assert main(["--db", db, "users", "add", "nguyenvana", "--role", "analyst"]) == 0
    out = capsys.readouterr().out
    password = re.search(r"one-time password: (\S+)", out).group(1)
    token = re.search(r"API token: (mw_\S+)", out).group(1)
    assert main(["--db", db, "users", "list"]) == 0
    listing = capsys.readouterr().out
    assert "nguyenvana\tanalyst" in listing and password not in listing and token not in listing

    from store.sqlite_store import SQLiteStore
    from triage_api.services import users

    store = SQLiteStore(db)
    try:
        assert users.authenticate_password(store, username="nguyenvana", password=password) is not None
        assert users.principal_for_token(store, token=token).username == "nguyenvana"
    finally:
        store.close()


def test_users_add_rejects_a_unit_user_without_unit(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "cli.db"), "users", "add", "donvi", "--role", "unit"]) == 2
    assert "needs --unit" in capsys.readouterr().err


def test_audit_verify_and_export_then_detect_tampering(tmp_path, capsys):
    db = tmp_path / "cli.db"
    main(["--db", str(db), "users", "add", "admin", "--role", "admin"])
    main(["--db", str(db), "users", "add", "bantg", "--role", "board"])
    capsys.readouterr()
    assert main(["--db", str(db), "audit", "verify"]) == 0
    assert "2 entries verified" in capsys.readouterr().out
    out = tmp_path / "audit.csv"
    assert main(["--db", str(db), "audit", "export", "--out", str(out)]) == 0
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["target"] for r in rows] == ["user:admin", "user:bantg"]
    conn = sqlite3.connect(db)
    try:
        with conn:
            conn.execute("UPDATE audit SET actor = 'someone-else' WHERE seq = 1")
    finally:
        conn.close()
    assert main(["--db", str(db), "audit", "verify"]) == 1
    assert "entry 1" in capsys.readouterr().err


def test_serve_refuses_to_start_without_a_secret_key(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MEDIAWATCH_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env file here
    assert main(["--db", str(tmp_path / "cli.db"), "serve", "--port", "0"]) == 2
    assert "MEDIAWATCH_SECRET_KEY is required" in capsys.readouterr().err
