"""BoundedMemo: each key is computed once, and the memo starts over past its limit."""

from __future__ import annotations

from nlp.bounded_memo import BoundedMemo


def test_computes_each_key_once_and_starts_over_past_the_limit() -> None:
    calls: list[str] = []

    def make(key: str) -> int:
        calls.append(key)
        return len(key)

    memo = BoundedMemo(make, limit=2)
    assert [memo["a"], memo["bb"], memo["a"]] == [1, 2, 1]
    assert calls == ["a", "bb"]
    memo["ccc"]  # three entries: still within reach of the limit check on the next miss
    assert len(memo) == 3
    memo["dddd"]  # more than two entries before this miss: emptied, then this key stored
    assert dict(memo) == {"dddd": 4}
    assert calls == ["a", "bb", "ccc", "dddd"]
