"""Enricher and flags: reasons for every flag; criticism, complaints, news and debunks are never flagged."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.claims import KnownClaim
from nlp.enrich import Enricher
from nlp.flags import load_flag_rules
from records.errors import ConfigError, ModelError
from records.schema import Item, SourceKind

CLAIM = KnownClaim(
    claim_id="c-dam",
    claim="Đập thủy điện Sông Tranh 2 bị nứt, sắp vỡ, người dân Bắc Trà My phải sơ tán gấp",
    correction="Đập Sông Tranh 2 vận hành an toàn, không có vết nứt",
)


RULES_ONLY = Enricher.load(models_dir=Path("models"), config_dir=Path("config"), claims=[CLAIM], require_models=False)


@pytest.fixture(scope="module")
def rules_only() -> Enricher:
    return RULES_ONLY


def _models_ready() -> bool:
    return (Path("models") / "shipped.json").is_file()


@pytest.fixture(scope="module", params=["rules", "models"])
def enricher(request: pytest.FixtureRequest, rules_only: Enricher) -> Enricher:
    if request.param == "rules":
        return rules_only
    if not _models_ready():
        pytest.skip("models/shipped.json not present yet (run `make train`)")
    return Enricher.load(models_dir=Path("models"), config_dir=Path("config"), claims=[CLAIM])


def flags(enricher: Enricher, text: str, *, kind: str = "social") -> dict[str, dict]:
    out = enricher.analyze({"id": "x", "text": text, "kind": kind})
    return {f["kind"]: f for f in out["flags"]}


def test_missing_models_fail_loudly(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        Enricher.load(models_dir=tmp_path, config_dir=Path("config"))


def test_missing_config_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        Enricher.load(models_dir=tmp_path, config_dir=tmp_path, require_models=False)


def test_hoax_matching_known_claim_is_flagged_with_the_claim_named(enricher: Enricher) -> None:
    text = "KHẨN CẤP!!! dap song tranh 2 bi nut sap vo roi, nguoi dan bac tra my so tan gap. Chia sẻ ngay!"
    found = flags(enricher, text)
    assert "misinformation" in found
    flag = found["misinformation"]
    assert 0.5 <= flag["score"] <= 1
    assert any(r.startswith("Giống tin sai đã xác minh: «Đập thủy điện Sông Tranh 2") for r in flag["reasons"])
    assert any(r.startswith("Kêu gọi chia sẻ gấp") for r in flag["reasons"])


def test_scam_is_flagged_with_cue_reasons(enricher: Enricher) -> None:
    found = flags(enricher, "Chúc mừng bạn đã trúng thưởng xe SH! Vui lòng chuyển khoản phí nhận thưởng 2 triệu vào "
                            "Vietcombank 0123456789 trong vòng 24 giờ, truy cập bit.ly/qua-tang")
    assert "scam" in found
    assert any(r.startswith("Yêu cầu chuyển tiền") for r in found["scam"]["reasons"])


CRITICISM_AND_DEBUNKS = [
    # complaints and criticism of authorities: legitimate feedback
    "Người dân xã Đại Hồng bức xúc vì đường ĐT609 xuống cấp nhiều năm, đề nghị chính quyền sớm sửa chữa.",
    "Theo tôi, UBND huyện xử lý vụ giải tỏa quá chậm, dân chịu thiệt. Mong các cấp vào cuộc!",
    "Tiền đền bù thấp quá, bà con Điện Bàn phản ánh mãi mà không ai trả lời. Chia sẻ cho mọi người cùng biết.",
    "Bệnh viện quá tải, bệnh nhân nằm hành lang, ngành y tế tỉnh yếu kém và vô trách nhiệm.",
    "Học phí tăng mà chất lượng không tăng, phụ huynh rất bức xúc với nhà trường.",
    # news about a rumour and official debunks
    "Công an tỉnh Quảng Nam bác bỏ thông tin sai sự thật về việc đập Sông Tranh 2 bị nứt sắp vỡ, đề nghị người dân "
    "không hoang mang và không chia sẻ.",
    "Thời gian qua trên mạng xã hội lan truyền tin đồn đập thủy điện Sông Tranh 2 sắp vỡ. Ban quản lý khẳng định "
    "đây là thông tin không đúng sự thật, đập vận hành an toàn.",
    "Sở Y tế đính chính: không có chuyện uống nước lá đu đủ chữa khỏi sốt xuất huyết, người dân cần đến cơ sở y tế.",
    # official warnings about scams and emergency notices
    "Công an tỉnh cảnh báo thủ đoạn lừa đảo mạo danh nhân viên điện lực yêu cầu chuyển khoản tiền điện; đề nghị "
    "người dân cảnh giác, không chuyển tiền, không cung cấp mã OTP và trình báo công an.",
    "Cảnh báo: các đối tượng giả danh cán bộ thuế gửi đường link lạ, yêu cầu cài đặt ứng dụng. Người dân không bấm "
    "vào link và báo ngay cho cơ quan công an.",
    "Ban Chỉ huy phòng chống thiên tai tỉnh thông báo khẩn: thủy điện A Vương xả lũ điều tiết, người dân vùng hạ du "
    "sơ tán khỏi khu vực nguy hiểm.",
]


@pytest.mark.parametrize("text", CRITICISM_AND_DEBUNKS)
def test_criticism_news_and_debunks_are_not_flagged(enricher: Enricher, text: str) -> None:
    for kind in ("social", "press"):
        found = flags(enricher, text, kind=kind)
        assert "misinformation" not in found, found
        assert "scam" not in found, found


def test_flag_scores_are_bounded_and_reasons_non_empty(rules_only: Enricher) -> None:
    out = rules_only.analyze({"id": 1, "text": "Chia sẻ ngay! KHẨN CẤP! Người nhà làm trong nói chính quyền giấu dân, "
                                                "đúng 100% đập sắp vỡ"})
    assert out["id"] == "1"
    for flag in out["flags"]:
        assert 0.0 <= flag["score"] <= 1.0
        assert flag["reasons"]


def test_enrich_fills_item_fields_and_is_pure(rules_only: Enricher) -> None:
    item = Item(
        id="i1", url="https://baoquangnam.vn/a", content_hash="h", source_id="bqn", kind=SourceKind.press,
        title="Lũ lụt ở Đại Lộc", text="Mưa lũ khiến xã Đại Hồng bị cô lập, ng dân ko thể đi lại.",
        published_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    (out,) = rules_only.enrich([item])
    assert item.topics == [] and item.segmented is None  # the input is untouched
    assert "disaster" in out.topics
    assert out.language == "vi"
    assert out.districts == ["Đại Lộc"]
    assert out.places[0].in_title
    assert out.segmented is not None and "Đại_Lộc" in out.segmented and "người_dân" in out.segmented


def test_set_claims_rebuilds_the_index(rules_only: Enricher) -> None:
    other = Enricher.load(models_dir=Path("models"), config_dir=Path("config"), require_models=False)
    text = "dap song tranh 2 bi nut sap vo, nguoi dan bac tra my phai so tan gap"
    assert "misinformation" not in flags(other, text)
    other.set_claims([CLAIM])
    assert "misinformation" in flags(other, text)
    assert other.claims == [CLAIM]


def test_flag_rules_override_from_config(tmp_path: Path) -> None:
    (tmp_path / "flags.yaml").write_text("kinds:\n  scam:\n    threshold: 0.9\n", encoding="utf-8")
    rules = load_flag_rules(config_dir=tmp_path)
    assert rules.kinds["scam"].threshold == 0.9
    assert rules.kinds["misinformation"].threshold == load_flag_rules().kinds["misinformation"].threshold


@settings(max_examples=30, deadline=None)
@given(title=st.text(max_size=80), text=st.text(max_size=300))
def test_enrich_never_crashes_on_arbitrary_text(title: str, text: str) -> None:
    item = Item(id="p", url="https://x.invalid/p", content_hash="h", source_id="s", kind=SourceKind.social,
                title=title, text=text)
    (out,) = RULES_ONLY.enrich([item])
    assert out.language in ("vi", "en", "und")
    assert out.segmented is not None
    assert all(0.0 <= f.score <= 1.0 and f.reasons for f in out.flags)


def test_collected_items_are_in_province_context_but_analyze_input_is_not(rules_only: Enricher) -> None:
    from records.identity import content_hash, item_id
    from records.schema import Item, SourceKind

    text = "Mưa lớn kéo dài ở Phước Sơn, nhiều tuyến đường bị sạt lở"
    url = "https://baoquangnam.example/mua-lon-phuoc-son"
    item = Item(
        id=item_id(url), url=url, content_hash=content_hash("", text), source_id="bqn", kind=SourceKind.press, text=text
    )
    assert rules_only.enrich([item])[0].districts == ["Phước Sơn"]
    assert [p["district"] for p in rules_only.analyze({"id": "x", "text": text})["places"]] == []
