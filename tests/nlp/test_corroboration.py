"""Posts that repeat a recent official statement: matched clause by clause, with and without diacritics,
within the time window; the misinformation flag is dampened with a reason, unless the post has hoax cues."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from nlp.corroboration import OfficialStatements, clauses
from nlp.cues import load_cues
from nlp.flags import FlagRules, load_flag_rules, score_flags
from nlp.matching import FoldedText
from nlp.normalize import normalize
from records.errors import ConfigError
from records.schema import Flag, Item, SourceKind
from tests.factories import CAU_LAU_BULLETIN as BULLETIN
from tests.factories import CAU_LAU_POST as POST

AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
RULES = load_flag_rules()
CUES = load_cues()


def official(text: str, at: datetime = AT, kind: SourceKind = SourceKind.official) -> Item:
    return Item.identified(url=f"https://{kind.value}.example/thong-bao/{at:%Y%m%d%H%M}", source_id="portal",
                           kind=kind, title="Cập nhật tình hình mưa lũ", text=text, published_at=at)


def test_clauses_keep_the_ones_long_enough_to_state_something() -> None:
    assert clauses("Nước lên rồi, bà con ơi, nước sông Thu Bồn đã tràn qua đường ĐT609!") == [
        "nước sông Thu Bồn đã tràn qua đường ĐT609"
    ]


def test_a_post_without_diacritics_repeating_the_bulletin_is_corroborated() -> None:
    index = OfficialStatements([official(BULLETIN)])
    [found] = index.match([POST], [AT + timedelta(hours=2)], min_similarity=RULES.corroboration_min_similarity)
    assert found is not None
    assert "Câu Lâu" in found.statement.text
    assert found.passage.startswith("Nuoc song Thu Bon o Cau Lau")
    assert "Trùng với thông tin nguồn chính thức" in found.reason and "Cập nhật tình hình mưa lũ" in found.reason


def test_other_statements_on_the_same_topic_do_not_corroborate() -> None:
    index = OfficialStatements([official(BULLETIN)])
    posts = [
        "Dap Dak Mi 4 sap xa lu toan bo trong dem nay, nuoc se ngap het Dai Loc",
        "Nuoc song Tam Ky o cau Ong Dieu da len cao, khu pho minh ngap toi goi",
    ]
    assert index.match(posts, [AT, AT], min_similarity=RULES.corroboration_min_similarity) == [None, None]


def test_only_official_items_within_the_window_count() -> None:
    press = OfficialStatements([official(BULLETIN, kind=SourceKind.press)])
    assert len(press) == 0
    index = OfficialStatements([official(BULLETIN)])
    late = AT + index.window + timedelta(hours=1)
    assert index.match([POST], [late], min_similarity=0.5) == [None]
    assert index.match([POST], [None], min_similarity=0.5)[0] is not None  # no time: every statement


def _misinformation(text: str, corroborated: bool, proba: float = 0.9, rules: FlagRules = RULES) -> Flag | None:
    index = OfficialStatements([official(BULLETIN)])
    found = index.match([text], [AT], min_similarity=RULES.corroboration_min_similarity)[0] if corroborated else None
    hits = CUES.find(FoldedText.of(normalize(text)))
    flags = score_flags(rules, hits=hits, claim=None, proba={"misinformation": proba}, official=False,
                        corroboration=found)
    return next((f for f in flags if f.kind.value == "misinformation"), None)


def test_corroboration_dampens_the_model_below_the_flag_with_its_reason_kept() -> None:
    assert _misinformation(POST, corroborated=False) is not None
    assert _misinformation(POST, corroborated=True) is None
    assert _misinformation(POST, corroborated=True, proba=1.0) is None  # the model alone cannot flag it
    lighter = _misinformation(POST, corroborated=True, rules=replace(RULES, corroboration_weight=0.3))
    assert lighter is not None  # a site that weighs corroboration less still sees why the score dropped
    assert any(r.startswith("Đã giảm điểm vì: Trùng với thông tin nguồn chính thức") for r in lighter.reasons)


def test_a_hoax_quoting_the_bulletin_keeps_its_flag() -> None:
    hoax = POST + " Dap Dak Mi 4 sap vo dap, chinh quyen giau khong bao, chia se ngay!"
    without = _misinformation(hoax, corroborated=False)
    with_statement = _misinformation(hoax, corroborated=True)
    assert without is not None and with_statement is not None
    assert with_statement.score == without.score


def test_statements_older_than_the_window_before_the_newest_are_let_go() -> None:
    index = OfficialStatements([official(BULLETIN, at=AT)])
    held = len(index)
    index.add([official("UBND tỉnh thông báo lịch tiếp công dân định kỳ tháng 12 tại trụ sở.", AT + timedelta(days=5))])
    assert 0 < len(index) < held  # only the new notice's sentences remain
    assert index.match([POST], [None], min_similarity=0.5) == [None]


def test_a_corroboration_weight_outside_zero_one_is_a_config_error(tmp_path) -> None:
    (tmp_path / "flags.yaml").write_text("corroboration:\n  weight: 1.5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"corroboration\.weight"):
        load_flag_rules(config_dir=tmp_path)
