"""Leave-one-author-out directions of the flag cross-author tool."""

from __future__ import annotations

from typing import Any

from nlp.training.flag_crossauthor import PROJECT, loao_directions, rows_by_author
from nlp.training.flags import other_author_records


def _row(text: str, **extra: Any) -> dict[str, Any]:
    return {"text": text, "label": "misinformation", **extra}


def _sample() -> dict[str, list[dict[str, Any]]]:
    project = [_row("p-train", split="train"), _row("p-dev", split="dev"), _row("p-test", split="test")]
    others = [_row("s1", source="second_author"), _row("t1", source="third_author"),
              _row("s2", source="second_author")]
    return rows_by_author(project, others)


def test_rows_are_grouped_by_author_from_source() -> None:
    by_author = _sample()
    assert {k: [r["text"] for r in v] for k, v in by_author.items()} == {
        PROJECT: ["p-train", "p-dev", "p-test"],
        "second_author": ["s1", "s2"],
        "third_author": ["t1"],
    }


def test_each_direction_leaves_exactly_one_author_out() -> None:
    directions = loao_directions(_sample())
    assert sorted(directions) == ["others_to_project", "others_to_second_author", "others_to_third_author"]
    fit, test = directions["others_to_third_author"]
    assert [r["text"] for r in test] == ["t1"]
    assert sorted(r["text"] for r in fit) == ["p-dev", "p-train", "s1", "s2"]  # project test split never fitted
    fit, test = directions["others_to_project"]
    assert [r["text"] for r in test] == ["p-train", "p-dev", "p-test"]  # every project row is measured
    assert sorted(r["text"] for r in fit) == ["s1", "s2", "t1"]
    for name, (fit, test) in directions.items():
        held = name.removeprefix("others_to_")
        assert all(r.get("source", PROJECT) != held for r in fit)
        assert {id(r) for r in fit}.isdisjoint({id(r) for r in test})


def test_real_data_has_every_retired_author_for_both_flag_tasks() -> None:
    # fifth_author (the everyday-posts sets) wrote misinformation rows only
    expected = {
        "misinformation": ("second_author", "third_author", "fourth_author", "fifth_author"),
        "scam": ("second_author", "third_author", "fourth_author"),
    }
    for task, others in expected.items():
        by_author = rows_by_author([], other_author_records(task))
        assert set(by_author) == {PROJECT, *others}
        assert all(len(by_author[a]) > 50 for a in others)
