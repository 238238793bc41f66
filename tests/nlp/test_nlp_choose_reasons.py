"""nlp.models.choose_reasons keeps the ranking of its first, simpler form (sort by -score, skip shared words)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.models import choose_reasons


def _reference(candidates: dict[str, tuple[float, str]], k: int) -> list[str]:
    ranked = sorted(
        (
            (score, shown)
            for key, (score, shown) in candidates.items()
            if score > 0 and len(key) >= 2 and not key.replace(" ", "").isdigit()
        ),
        key=lambda pair: -pair[0],
    )
    chosen: list[str] = []
    for _, shown in ranked:
        words = set(shown.split())
        if any(words & set(prev.split()) for prev in chosen):
            continue
        chosen.append(shown)
        if len(chosen) == k:
            break
    return chosen


_WORDS = st.sampled_from(["lũ", "lụt", "đại", "lộc", "chia", "sẻ", "khẩn", "cấp", "12", "a", "tin", "giả"])


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.lists(_WORDS, min_size=1, max_size=2).map(" ".join),
        st.tuples(
            st.sampled_from([-1.0, 0.0, 0.25, 0.5, 1.0, 2.0]), st.lists(_WORDS, min_size=1, max_size=2).map(" ".join)
        ),
        max_size=25,
    ),
    st.integers(min_value=1, max_value=6),
)
def test_choose_reasons_matches_its_reference(candidates: dict[str, tuple[float, str]], k: int) -> None:
    assert choose_reasons(candidates, k) == _reference(candidates, k)


def test_equal_scores_keep_their_order_and_shared_words_are_skipped() -> None:
    candidates = {"12": (3.0, "12"), "lu lut": (2.0, "lũ lụt"), "lu": (1.0, "lũ"), "tin": (1.0, "tin")}
    candidates["gia"] = (1.0, "giả")
    assert choose_reasons(candidates, 2) == ["lũ lụt", "tin"]
    assert choose_reasons({"gia": (1.0, "giả"), "tin": (1.0, "tin")}, 1) == ["giả"]
