"""``mediawatch alerts``: run the alert engine, list alerts, acknowledge, silence, resend, edit rules."""

from __future__ import annotations

import argparse
import getpass
import json
import re
import signal
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from mediawatch.context import CommandContext
from records.errors import InputError

_DURATION = re.compile(r"^(\d+)([mhd])$")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("alerts", help="crisis-spike and incident alerts: run, list, acknowledge, silence, rules")
    asub = p.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)

    run = asub.add_parser("run", help="evaluate the alert rules and deliver pending alerts")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one evaluation and delivery pass (default)")
    mode.add_argument("--continuous", action="store_true", help="repeat every --poll seconds until interrupted")
    run.add_argument("--poll", type=float, default=15.0, metavar="SECONDS", help="poll interval (default 15)")
    run.set_defaults(func=cmd_run)

    ls = asub.add_parser("list", help="the alert history, newest first")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--open", action="store_true", help="only alerts not yet acknowledged")
    ls.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    ls.set_defaults(func=cmd_list)

    ack = asub.add_parser("ack", help="acknowledge an alert")
    ack.add_argument("alert_id", metavar="ID")
    ack.add_argument("--actor", default=None, help="who acknowledges (default cli:<user>)")
    ack.set_defaults(func=cmd_ack)

    sil = asub.add_parser("silence", help="stop delivering matching alerts for a while (they are still recorded)")
    sil.add_argument("--rule", default=None, help="rule id")
    sil.add_argument("--scope", choices=["topic", "district", "incident", "all"], default=None)
    sil.add_argument("--value", default=None, help="topic id, district name or incident id")
    when = sil.add_mutually_exclusive_group(required=True)
    when.add_argument("--for", dest="duration", metavar="DURATION", help="e.g. 30m, 2h, 1d")
    when.add_argument("--until", metavar="TIME", help="ISO 8601 time with offset")
    sil.add_argument("--reason", default="")
    sil.add_argument("--actor", default=None)
    sil.set_defaults(func=cmd_silence)

    uns = asub.add_parser("unsilence", help="remove a silence")
    uns.add_argument("silence_id", metavar="ID")
    uns.add_argument("--actor", default=None)
    uns.set_defaults(func=cmd_unsilence)

    silences = asub.add_parser("silences", help="list silences in force")
    silences.set_defaults(func=cmd_silences)

    resend = asub.add_parser("resend", help="queue an alert again on its channels")
    resend.add_argument("alert_id", metavar="ID")
    resend.add_argument("--channel", default=None, help="one channel key, e.g. webhook:https://...")
    resend.add_argument("--actor", default=None)
    resend.set_defaults(func=cmd_resend)

    rules = asub.add_parser("rules", help="list the alert rules (seeded from config/alert_rules.yaml)")
    rules.add_argument("--json", action="store_true")
    rules.set_defaults(func=cmd_rules)

    rule_set = asub.add_parser("rule-set", help="create or replace a rule from a YAML or JSON file")
    rule_set.add_argument("file", type=Path, metavar="FILE")
    rule_set.add_argument("--actor", default=None)
    rule_set.set_defaults(func=cmd_rule_set)


def _engine(ctx: CommandContext):
    from alerts.engine import AlertEngine

    engine = AlertEngine(ctx.store, ctx.settings)
    engine.ensure_rules()
    return engine


def cmd_run(args: argparse.Namespace, ctx: CommandContext) -> int:
    engine = _engine(ctx)
    if not args.continuous:
        created, report = engine.run_once()
        for alert in created:
            print(f"{alert.id}\t{alert.kind}\t{alert.level}/5\t{alert.title}")
        print(f"alerts: {len(created)} new, {report.sent} sent, {report.failed} failed, {report.held} held",
              file=sys.stderr)
        return 1 if report.gave_up else 0
    if args.poll <= 0:
        raise InputError("--poll must be positive")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"alerts: evaluating every {args.poll:g} s (Ctrl-C to stop)", file=sys.stderr)
    try:
        engine.run_continuous(poll_seconds=args.poll, stop=stop)
    except KeyboardInterrupt:
        stop.set()
    return 0


def cmd_list(args: argparse.Namespace, ctx: CommandContext) -> int:
    from alerts.engine import list_alerts

    for alert in list_alerts(ctx.store, limit=args.limit, open_only=args.open):
        if args.json:
            print(json.dumps(alert.model_dump(mode="json"), ensure_ascii=False))
            continue
        states = ",".join(sorted({str(d.status) for d in alert.deliveries.values()})) or "-"
        ack = "ack" if alert.acknowledged_at else "open"
        print(f"{alert.id}\t{alert.created_at:%Y-%m-%d %H:%M}Z\t{alert.kind}\t{alert.level}/5\t{ack}\t{states}\t"
              f"{alert.title}")
    return 0


def cmd_ack(args: argparse.Namespace, ctx: CommandContext) -> int:
    alert = _engine(ctx).acknowledge(args.alert_id, actor=args.actor or _actor())
    print(f"{alert.id} acknowledged by {alert.acknowledged_by}")
    return 0


def parse_until(duration: str | None, until: str | None, now: datetime) -> datetime:
    if duration:
        match = _DURATION.match(duration.strip())
        if not match:
            raise InputError(f"duration must look like 30m, 2h or 1d, got {duration!r}")
        unit = {"m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
        return now + timedelta(**{unit: int(match.group(1))})
    try:
        when = datetime.fromisoformat(str(until))
    except ValueError as exc:
        raise InputError(f"--until must be an ISO 8601 time, got {until!r}") from exc
    if when.tzinfo is None:
        raise InputError("--until needs a UTC offset, e.g. 2026-11-27T08:00+07:00")
    return when


def cmd_silence(args: argparse.Namespace, ctx: CommandContext) -> int:
    engine = _engine(ctx)
    until = parse_until(args.duration, args.until, engine.clock())
    silence = engine.silence(actor=args.actor or _actor(), until=until, rule_id=args.rule, scope=args.scope,
                             scope_value=args.value, reason=args.reason)
    print(f"{silence.id}\tuntil {silence.until.isoformat()}")
    return 0


def cmd_unsilence(args: argparse.Namespace, ctx: CommandContext) -> int:
    _engine(ctx).unsilence(args.silence_id, actor=args.actor or _actor())
    return 0


def cmd_silences(args: argparse.Namespace, ctx: CommandContext) -> int:
    engine = _engine(ctx)
    for s in engine.silences(now=engine.clock()):
        target = " ".join(x for x in (s.rule_id, s.scope, s.scope_value) if x)
        print(f"{s.id}\t{target}\tuntil {s.until.isoformat()}\t{s.created_by}\t{s.reason}")
    return 0


def cmd_resend(args: argparse.Namespace, ctx: CommandContext) -> int:
    engine = _engine(ctx)
    engine.resend(args.alert_id, actor=args.actor or _actor(), channel=args.channel)
    report = engine.deliver_pending()
    print(f"alerts: {report.sent} sent, {report.failed} failed", file=sys.stderr)
    return 0 if not report.failed else 1


def cmd_rules(args: argparse.Namespace, ctx: CommandContext) -> int:
    from alerts.rules import list_rules

    _engine(ctx)
    for rule in list_rules(ctx.store):
        if args.json:
            print(json.dumps(rule.model_dump(mode="json"), ensure_ascii=False))
        else:
            channels = ", ".join(c.key for c in rule.channels) or "-"
            state = "on" if rule.enabled else "off"
            print(f"{rule.id}\t{state}\t{rule.kind}/{rule.scope}\t{rule.name}\t{channels}")
    return 0


def cmd_rule_set(args: argparse.Namespace, ctx: CommandContext) -> int:
    from alerts.rules import save_rule

    try:
        doc = yaml.safe_load(args.file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read {args.file}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"{args.file} is not valid YAML/JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise InputError(f"{args.file} must hold one rule (a mapping)")
    _engine(ctx)
    rule = save_rule(ctx.store, doc, actor=args.actor or _actor())
    print(f"rule {rule.id} saved")
    return 0
