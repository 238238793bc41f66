"""``mediawatch analyze [FILE|-]``: enrich JSON lines and print topics, places and flags per line.

The input/output contract is documented in docs/analyze.md; other tools depend on it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from mediawatch.context import CommandContext
from records.errors import InputError

BATCH = 64
EXIT_BAD_LINES = 2
EXIT_FAILED_LINES = 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "analyze",
        help="enrich JSON lines (id, text, title, ...) and print topics, places and flags per line",
        description="Read JSON lines {id, text, optional title/url/source/published_at/kind} from FILE "
        "(or stdin) and write one JSON line per input line: id, language, topics, places, flags "
        "(see docs/analyze.md). Bad lines give an error object and a non-zero exit at the end.",
    )
    p.add_argument("file", nargs="?", default="-", metavar="FILE", help="JSON-lines file (default: - for stdin)")
    p.add_argument("--claims", type=Path, metavar="FILE",
                   help="JSON lines of known false claims (claim_id, claim, correction, ...) to match, "
                   "in addition to those in the store")
    p.add_argument("--no-store", action="store_true",
                   help="do not read known claims and recent official statements from the store (by default they "
                   "are read when the store exists)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from nlp.claims import KnownClaim, load_claims
    from nlp.enrich import Enricher

    claims: list[KnownClaim] = []
    use_store = not args.no_store and _store_exists(ctx)
    if use_store:
        claims.extend(load_claims(ctx.store))
    if args.claims is not None:
        claims.extend(_read_claims(args.claims))
    enricher = Enricher.load(models_dir=ctx.settings.models_dir, config_dir=ctx.settings.config_dir, claims=claims)
    if use_store:
        from mediawatch.pipeline import recent_official_items

        enricher.add_official_statements(recent_official_items(ctx.store))
    source = _open_input(args.file)
    try:
        counts = analyze_stream(enricher, source, sys.stdout)
    finally:
        if source is not sys.stdin.buffer:
            source.close()
    if counts["bad"] or counts["failed"]:
        print(f"mediawatch analyze: {counts['ok']} lines analysed, {counts['bad']} invalid, "
              f"{counts['failed']} failed", file=sys.stderr)
    if counts["failed"]:
        return EXIT_FAILED_LINES
    return EXIT_BAD_LINES if counts["bad"] else 0


def analyze_stream(enricher: Any, source: IO[bytes], out: IO[str]) -> dict[str, int]:
    """Analyse every line of ``source``, writing one JSON line per non-blank input line to ``out``."""
    counts = {"ok": 0, "bad": 0, "failed": 0}
    batch: list[tuple[int, dict[str, Any]]] = []
    for number, parsed in _records(source):
        if isinstance(parsed, str):
            _flush(enricher, batch, out, counts)
            batch = []
            _write(out, {"line": number, "id": None, "error": parsed})
            counts["bad"] += 1
            continue
        batch.append((number, parsed))
        if len(batch) >= BATCH:
            _flush(enricher, batch, out, counts)
            batch = []
    _flush(enricher, batch, out, counts)
    return counts


def _flush(enricher: Any, batch: list[tuple[int, dict[str, Any]]], out: IO[str], counts: dict[str, int]) -> None:
    from nlp.enrich import parse_record

    valid: list[tuple[int, dict[str, Any]]] = []
    results: dict[int, dict[str, Any]] = {}
    for number, record in batch:
        try:
            parse_record(record)
            valid.append((number, record))
        except InputError as exc:
            results[number] = {"line": number, "id": _id_of(record), "error": str(exc)}
            counts["bad"] += 1
    if valid:
        for (number, record), result in zip(valid, _analyse_batch(enricher, valid), strict=True):
            if "error" in result:
                counts["failed"] += 1
                result = {"line": number, "id": _id_of(record), **result}
            else:
                counts["ok"] += 1
            results[number] = result
    for number, _record in batch:
        _write(out, results[number])
    out.flush()


def _analyse_batch(enricher: Any, valid: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    try:
        return enricher.analyze_many([r for _n, r in valid])
    except Exception:  # fall back to one by one to isolate the failing line
        out = []
        for _number, record in valid:
            try:
                out.append(enricher.analyze(record))
            except Exception as exc:  # reported per line, never swallowed
                out.append({"error": f"internal error: {type(exc).__name__}: {exc}"})
        return out


def _records(source: IO[bytes]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, record or error message) for each non-blank line."""
    for number, raw in enumerate(source, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield number, f"invalid UTF-8 at byte {exc.start}"
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield number, f"invalid JSON: {getattr(exc, 'msg', 'nested too deeply')}"
            continue
        if not isinstance(record, dict):
            yield number, "a line must be a JSON object"
            continue
        yield number, record


def _id_of(record: dict[str, Any]) -> str | None:
    value = record.get("id")
    return str(value)[:512] if isinstance(value, str | int) and not isinstance(value, bool) else None


def _write(out: IO[str], obj: dict[str, Any]) -> None:
    try:
        line = json.dumps(obj, ensure_ascii=False)
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(obj, ensure_ascii=True)  # lone surrogates in the input id: escape them
    out.write(line + "\n")


def _open_input(name: str) -> IO[bytes]:
    if name == "-":
        return sys.stdin.buffer
    try:
        return Path(name).open("rb")
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from exc


def _store_exists(ctx: CommandContext) -> bool:
    settings = ctx.settings
    if settings.store == "sqlite":
        return Path(settings.db).is_file()
    return True


def _read_claims(path: Path) -> list[Any]:
    from pydantic import ValidationError

    from nlp.claims import KnownClaim

    claims = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read claims file {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            claims.append(KnownClaim.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise InputError(f"{path}:{number}: not a known claim: {str(exc).splitlines()[0]}") from exc
    return claims
