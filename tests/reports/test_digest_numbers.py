"""The weekly digest's numbers are the store's numbers for a seeded week."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from report_seed import TZ, WEEK, WEEK_END, WEEK_START

from alerts.messages import number, topic_name
from records.errors import InputError
from reports.digest import build_digest, parse_week, week_bounds
from reports.policy_watch import add_policy
from store.base import ItemQuery


def test_digest_numbers_equal_the_store_numbers(seeded, settings) -> None:
    add_policy(seeded, title="Dự thảo quy định mức thu học phí", keywords=["học phí"], opens=date(2026, 11, 20),
               closes=date(2026, 12, 20), actor="analyst1")
    digest = build_digest(seeded, WEEK, settings=settings, clock=lambda: datetime(2026, 11, 30, 9, tzinfo=UTC))
    f = digest.figures
    week = ItemQuery(since=WEEK_START, until=WEEK_END)
    flagged = ItemQuery(since=WEEK_START, until=WEEK_END, flagged=True)

    assert f["total"] == seeded.count(week) == 1212
    assert f["previous_total"] == 150
    assert f["by_topic"] == seeded.facet_counts(week, "topic")
    assert f["by_district"] == seeded.facet_counts(week, "district")
    assert f["by_kind"] == seeded.facet_counts(week, "kind")
    assert f["flagged_items"] == seeded.count(flagged)
    assert f["by_flag"] == seeded.facet_counts(flagged, "flag")
    assert sum(n for _, n in f["by_day"]) == f["total"] and len(f["by_day"]) == 7

    incidents = f["incidents"]
    assert (incidents["opened"], incidents["resolved"], incidents["open_at_end"]) == (3, 2, 2)
    units = {u["unit_name"]: u for u in incidents["units"]}  # names from config/units.yaml
    assert units["Sở Y tế"]["median_response_hours"] == 3.0  # responses after 2 h and 4 h
    assert units["Công an tỉnh"]["median_response_hours"] == 1.5
    assert incidents["median_response_hours"] == 2.0
    assert incidents["top"][0]["id"] == "inc-1"  # the most severe
    assert incidents["by_verdict"] == {"false": 2}

    (policy,) = f["policies"]
    assert policy["volume"] == seeded.count(ItemQuery(text='"học phí"', since=WEEK_START, until=WEEK_END)) == 12
    assert any("phụ huynh" in phrase for phrase, _ in policy["concerns"])

    html = digest.html
    assert f"<b>{number(f['total'])}</b>" in html
    for topic, n in f["by_topic"].items():
        assert f"<td>{topic_name(topic)}</td><td class=\"n\">{number(n)}</td>" in html
    assert html.count("data:image/png;base64,") == 3
    assert "<script" not in html and "cdn" not in html.lower()
    assert "Nguyễn Văn Tác Giả" not in html  # content, never people
    assert "23/11/2026" in html and "29/11/2026" in html


def test_digest_write_and_empty_week(seeded, settings, tmp_path) -> None:
    digest = build_digest(seeded, "2026-W10", settings=settings)
    assert digest.figures["total"] == 0 and digest.figures["incidents"]["opened"] == 0
    path = digest.write(tmp_path / "out" / "digest.html")
    assert "Không có tin trong tuần." in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("bad", ["2026-48", "2026-W54", "W48", ""])
def test_week_parsing_refuses_bad_weeks(bad) -> None:
    with pytest.raises(InputError):
        parse_week(bad)


def test_week_bounds_are_local_midnights() -> None:
    since, until = week_bounds("2026-W01", TZ)
    assert since.date() == date(2025, 12, 29) and (until - since).days == 7
    assert since.utcoffset().total_seconds() == 7 * 3600
