"""The ``mediawatch`` command line: one entry point, one sub-command module per pipeline stage.

Each module in ``mediawatch/commands/`` exposes ``register(subparsers)``, which adds its
sub-commands and sets ``func(args, ctx) -> int`` on them. User mistakes raise ``MediaWatchError``
subclasses and are printed as one line on stderr with a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

from mediawatch import commands
from mediawatch.context import CommandContext
from mediawatch.settings import Settings
from records.errors import ConfigError, InputError, MediaWatchError, NotFoundError

EXIT_USER_ERROR = 2
EXIT_FAILURE = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mediawatch",
        description="MediaWatch: media monitoring and misinformation triage for Quảng Nam.",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="SQLite store file (default: $MEDIAWATCH_DB or mediawatch.db)",
    )
    parser.add_argument(
        "--store",
        choices=["sqlite", "elasticsearch"],
        default=None,
        help="store backend (default: $MEDIAWATCH_STORE or sqlite; elasticsearch needs $ELASTICSEARCH_URL)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if args.db is not None:
        overrides["db"] = args.db
    if args.store is not None:
        overrides["store"] = args.store
    return Settings(**overrides)  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        ctx = CommandContext(settings_from_args(args))
        try:
            return int(args.func(args, ctx) or 0)
        finally:
            ctx.close()
    except (InputError, NotFoundError, ConfigError) as exc:
        print(f"mediawatch: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except MediaWatchError as exc:
        print(f"mediawatch: failed: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and closed: not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
