"""Known false claims: paraphrases and posts without diacritics match, and the reason names the claim."""

from nlp.claims import ClaimIndex, KnownClaim, load_claims, windows
from records.schema import VersionedRecord

DAM = KnownClaim(
    claim_id="c-dam",
    claim="Đập thủy điện Sông Tranh 2 bị nứt, sắp vỡ, người dân Bắc Trà My phải sơ tán gấp",
    correction="Đập Sông Tranh 2 vận hành an toàn, không có vết nứt",
    correction_url="https://quangnam.gov.vn/dinh-chinh",
)
PAPAYA = KnownClaim(claim_id="c-papaya", claim="Uống nước lá đu đủ chữa khỏi sốt xuất huyết trong 3 ngày")
FEE = KnownClaim(claim_id="c-fee", claim="Từ tháng 12 người dân phải nộp 500 nghìn đồng để được cấp lại căn cước")
INDEX = ClaimIndex([DAM, PAPAYA, FEE])
MIN = 0.5


def best(text: str) -> KnownClaim | None:
    match = INDEX.match([text], min_similarity=MIN)[0]
    return match.claim if match else None


def test_paraphrase_matches_the_right_claim() -> None:
    assert best("Nghe nói đập thuỷ điện Sông Tranh 2 đã bị nứt và sắp vỡ tới nơi, bà con Bắc Trà My sơ tán gấp!") == DAM
    assert best("Lá đu đủ nấu nước uống là khỏi sốt xuất huyết sau 3 ngày, bác sĩ giấu") == PAPAYA


def test_no_diacritics_matches() -> None:
    assert best("nghe noi dap song tranh 2 bi nut sap vo, nguoi dan bac tra my phai so tan gap") == DAM


def test_claim_found_inside_a_longer_post() -> None:
    post = (
        "Hôm nay trời mưa to. Bà con ơi, đập thủy điện Sông Tranh 2 bị nứt rồi, sắp vỡ. "
        "Dân Bắc Trà My sơ tán gấp. Cảm ơn."
    )
    assert best(post) == DAM


def test_unrelated_text_does_not_match() -> None:
    for text in [
        "UBND tỉnh Quảng Nam họp bàn phát triển du lịch Hội An và Mỹ Sơn.",
        "Giá lúa tăng mạnh, nông dân Thăng Bình phấn khởi.",
        "Thủy điện Sông Tranh 2 xả lũ điều tiết, người dân vùng hạ du cần chú ý.",
        "",
    ]:
        assert best(text) is None, text


def test_reason_names_claim_correction_and_similarity() -> None:
    match = INDEX.match(["dap song tranh 2 bi nut sap vo, dan bac tra my so tan gap"], min_similarity=MIN)[0]
    assert match is not None
    assert match.reason.startswith("Giống tin sai đã xác minh: «Đập thủy điện Sông Tranh 2 bị nứt")
    assert "thông tin chính thức: «Đập Sông Tranh 2 vận hành an toàn" in match.reason
    assert f"{match.similarity:.2f}".replace(".", ",") in match.reason
    assert 0.5 <= match.similarity <= 1.0


def test_empty_index_and_rebuild() -> None:
    assert ClaimIndex([]).match(["bất kỳ"], min_similarity=MIN) == [None]
    assert len(ClaimIndex([PAPAYA])) == 1


def test_windows_split_sentences_and_pairs() -> None:
    assert windows("Một. Hai!\nBa") == ["Một.", "Một. Hai!", "Hai!", "Hai! Ba", "Ba"]


class _Records:
    def list_records(self, collection: str) -> list[VersionedRecord]:
        assert collection == "known_claims"
        return [VersionedRecord(collection=collection, key="k1", version=1,
                                doc={"claim": "Tin sai", "correction": "Đúng là", "added_by": "analyst", "extra": 1})]


def test_load_claims_from_store_records() -> None:
    claims = load_claims(_Records())  # type: ignore[arg-type]
    assert [(c.claim_id, c.claim, c.correction) for c in claims] == [("k1", "Tin sai", "Đúng là")]
