"""The weekly digest: a Vietnamese HTML page (also sent as e-mail) with the week's picture.

Volume by topic and district, flagged items by kind, top incidents, incidents resolved and median
time to first response per unit, alerts, and policy-watch summaries. Every number is read from the
store (``reports.figures``); ``Digest.figures`` holds them all, so a test can compare them with the
store's own answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from alerts.messages import FLAG_NAMES, KIND_NAMES, STATUS_NAMES, number, topic_name
from mediawatch.settings import Settings
from records.errors import InputError
from records.labels_vi import SOURCE_KIND_LABELS, VERDICT_LABELS
from records.schema import utcnow
from reports import charts
from reports.figures import alert_counts, incident_figures, unit_names, volume
from reports.policy_watch import list_policies, overlapping, policy_coverage
from store.base import Store

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
SOURCE_KIND_NAMES = SOURCE_KIND_LABELS
VERDICT_NAMES = VERDICT_LABELS


def parse_week(week: str) -> tuple[date, date]:
    """``2026-W48`` → (Monday, next Monday) of that ISO week."""
    match = _WEEK.match(week.strip())
    if not match:
        raise InputError(f"week must look like 2026-W48, got {week!r}")
    try:
        monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError as exc:
        raise InputError(f"no such ISO week: {week}") from exc
    return monday, monday + timedelta(days=7)


def week_bounds(week: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The week from local Monday 00:00 to the next local Monday 00:00."""
    monday, next_monday = parse_week(week)
    return (datetime(monday.year, monday.month, monday.day, tzinfo=tz),
            datetime(next_monday.year, next_monday.month, next_monday.day, tzinfo=tz))


def current_week(now: datetime, tz: ZoneInfo) -> str:
    iso = now.astimezone(tz).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def previous_week(now: datetime, tz: ZoneInfo) -> str:
    return current_week(now - timedelta(days=7), tz)


@dataclass
class Digest:
    week: str
    since: datetime
    until: datetime
    subject: str
    html: str
    figures: dict[str, Any]

    def write(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.html, encoding="utf-8")
        return path


def _env() -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=select_autoescape(["html", "j2"]))
    env.filters["num"] = number
    env.filters["topic"] = topic_name
    env.filters["flag"] = lambda k: FLAG_NAMES.get(k, k)
    env.filters["status"] = lambda s: STATUS_NAMES.get(s, s)
    env.filters["verdict"] = lambda v: VERDICT_NAMES.get(v, v)
    env.filters["source_kind"] = lambda k: SOURCE_KIND_NAMES.get(k, k)
    env.filters["alert_kind"] = lambda k: KIND_NAMES.get(k, k)
    return env


def build_digest(
    store: Store, week: str, *, settings: Settings, clock: Callable[[], datetime] = utcnow, top_n: int = 10
) -> Digest:
    """The digest of one ISO week (local time, ``settings.timezone``)."""
    tz = ZoneInfo(settings.timezone)
    since, until = week_bounds(week, tz)
    units = unit_names(settings.config_dir)
    vol = volume(store, since, until, tz)
    previous_total = store_count_previous(store, since)
    inc = incident_figures(store, since, until, top_n=top_n)
    alerts = alert_counts(store, since, until)
    policies = []
    for policy in overlapping(list_policies(store), since, until, tz):
        cov = policy_coverage(store, policy, since=since, until=until, tz=tz)
        policies.append(cov)
    figures: dict[str, Any] = {
        "week": week,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "total": vol.total,
        "previous_total": previous_total,
        "by_topic": vol.by_topic,
        "by_district": vol.by_district,
        "by_kind": vol.by_kind,
        "flagged_items": vol.flagged_items,
        "by_flag": vol.by_flag,
        "by_day": [(d.isoformat(), n) for d, n in vol.by_day],
        "incidents": {
            "opened": inc.opened,
            "resolved": inc.resolved,
            "open_at_end": inc.open_at_end,
            "median_response_hours": inc.median_response_hours,
            "by_verdict": inc.by_verdict,
            "by_flag": inc.by_flag,
            "units": [
                {"unit": u.unit, "unit_name": units.get(u.unit, u.unit), "assigned": u.assigned, "resolved": u.resolved,
                 "median_response_hours": u.median_response_hours, "responses": len(u.response_hours)}
                for u in inc.units
            ],
            "top": [
                {"id": i.id, "title": i.title, "severity": i.severity, "items_in_week": n, "status": str(i.status),
                 "owner_unit": i.owner_unit, "owner_unit_name": units.get(i.owner_unit or "", i.owner_unit),
                 "topics": i.topics, "districts": i.districts}
                for i, n in inc.top
            ],
        },
        "alerts": alerts,
        "policies": [
            {"id": c.policy.id, "title": c.policy.title, "volume": c.volume, "by_kind": c.by_kind,
             "concerns": c.concerns, "reactions": c.reactions,
             "examples": [{"title": e.title, "url": e.url, "source_id": e.source_id} for e in c.examples]}
            for c in policies
        ],
    }
    chart_uris = _charts(vol)
    monday = since.date()
    sunday = (until - timedelta(days=1)).date()
    subject = f"Bản tin tuần {week}: {number(vol.total)} tin, {number(inc.opened)} sự việc mới"
    html = _env().get_template("digest.html.j2").render(
        f=figures,
        charts=chart_uris,
        week=week,
        monday=monday.strftime("%d/%m/%Y"),
        sunday=sunday.strftime("%d/%m/%Y"),
        generated=clock().astimezone(tz).strftime("%H:%M %d/%m/%Y"),
        base_url=settings.public_base_url.rstrip("/"),
        title=subject,
    )
    return Digest(week=week, since=since, until=until, subject=subject, html=html, figures=figures)


def store_count_previous(store: Store, since: datetime) -> int:
    from store.base import ItemQuery

    return store.count(ItemQuery(since=since - timedelta(days=7), until=since))


def _charts(vol) -> dict[str, str]:
    topics = list(vol.by_topic.items())
    districts = list(vol.by_district.items())[:18]
    return {
        "topics": charts.data_uri(charts.hbar([topic_name(t) for t, _ in topics], [n for _, n in topics],
                                              "Số tin theo chủ đề")),
        "districts": charts.data_uri(charts.hbar([d for d, _ in districts], [n for _, n in districts],
                                                 "Số tin theo địa bàn")),
        "days": charts.data_uri(charts.line([d.strftime("%d/%m") for d, _ in vol.by_day],
                                            [n for _, n in vol.by_day], "Số tin theo ngày")),
    }


def send_digest(digest: Digest, *, settings: Settings, to: list[str]) -> None:
    """E-mail the digest (HTML with a plain-text part) through the configured SMTP server."""
    from alerts.channels.email import build_message, send_message

    if not to:
        raise InputError("no recipients for the digest")
    domain = (settings.smtp_from or "").rpartition("@")[2] or "mediawatch.local"
    figures = digest.figures
    text = (
        f"{digest.subject}\nTuần {digest.week}: {number(figures['total'])} tin, "
        f"{number(figures['flagged_items'])} tin có dấu hiệu cần kiểm tra, "
        f"{number(figures['incidents']['resolved'])} sự việc đã xử lý xong.\n"
        "Xem bản đầy đủ ở phần HTML của thư này."
    )
    msg = build_message(
        digest.subject, text, sender=settings.smtp_from or "", to=to,
        message_id=f"<digest-{digest.week}@{domain}>", html=digest.html,
    )
    send_message(msg, settings)
