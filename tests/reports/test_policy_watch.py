"""Policy watch: registering a draft policy, its coverage and the public's reaction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from report_seed import TZ, WEEK_START

from records.errors import InputError, NotFoundError
from reports.policy_watch import add_policy, delete_policy, get_policy, list_policies, policy_coverage, window_bounds


def test_coverage_counts_matching_items_with_concerns_and_reactions(seeded) -> None:
    policy = add_policy(seeded, title="Dự thảo quy định mức thu học phí", keywords=["hoc phi", "miễn giảm"],
                        opens=date(2026, 11, 20), closes=date(2026, 12, 20), actor="analyst1")
    since, until = window_bounds(policy, TZ)
    assert since == WEEK_START - timedelta(days=3)
    cov = policy_coverage(seeded, policy, since=since, until=until, tz=TZ)
    assert cov.volume == 12  # "hoc phi" matches "học phí" without diacritics
    assert cov.by_kind == {"press": 6, "social": 6}
    assert cov.reactions["Băn khoăn, lo ngại"] == 12 and cov.reactions["Kiến nghị, đề xuất"] == 12
    assert cov.reactions["Phản đối, không đồng tình"] == 0
    assert ("phụ huynh", 12) in cov.concerns
    assert len(cov.examples) == 5 and all(e.url.startswith("https://") for e in cov.examples)
    assert not any("Tác Giả" in e.title for e in cov.examples)
    assert any(e.action == "policy.add" for e in seeded.iter_audit())


def test_policy_register_list_get_delete(seeded) -> None:
    policy = add_policy(seeded, title="Dự thảo quy định về phí đỗ xe", keywords=[" phí đỗ xe ", ""],
                        opens=date(2026, 12, 1), closes=date(2026, 12, 31), actor="analyst1")
    assert policy.keywords == ["phí đỗ xe"]
    assert [p.id for p in list_policies(seeded)] == [policy.id]
    assert get_policy(seeded, policy.id).title == policy.title
    delete_policy(seeded, policy.id, actor="analyst1")
    with pytest.raises(NotFoundError):
        get_policy(seeded, policy.id)


@pytest.mark.parametrize("kwargs", [
    {"title": "Dự thảo", "keywords": [], "opens": date(2026, 1, 1), "closes": date(2026, 2, 1)},
    {"title": "Dự thảo A", "keywords": ["a"], "opens": date(2026, 3, 1), "closes": date(2026, 2, 1)},
    {"title": "", "keywords": ["a"], "opens": date(2026, 1, 1), "closes": date(2026, 2, 1)},
])
def test_invalid_policies_are_refused(seeded, kwargs) -> None:
    with pytest.raises(InputError, match="invalid policy"):
        add_policy(seeded, actor="analyst1", **kwargs)
