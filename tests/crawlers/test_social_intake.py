"""Social intake: platform exports (JSON / CSV), forwarded items (push), the relevance filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.collect import import_file
from crawlers.errors import ExportError, TextRepairError
from crawlers.exports import BadRow, ExportPost, read_export
from crawlers.push import item_from_push
from crawlers.registry import Method, Source
from crawlers.relevance import RelevanceFilter
from records.errors import InputError
from records.schema import SourceKind
from store.base import ItemQuery

SOCIAL = Path(__file__).resolve().parents[1] / "resources" / "crawlers" / "site" / "social"


def test_json_export_rows_and_bad_rows() -> None:
    rows = list(read_export((SOCIAL / "export.json").read_bytes(), source_id="fb"))
    posts = [r for r in rows if isinstance(r, ExportPost)]
    bad = [r for r in rows if isinstance(r, BadRow)]
    assert [p.post_id for p in posts] == ["1001", "1002", "1003"]
    assert posts[0].reach == 155 and posts[2].reach == 10  # counts given as strings too
    assert posts[0].created_at is not None and posts[0].created_at.isoformat() == "2024-10-28T00:10:00+00:00"
    assert [b.index for b in bad] == [3, 4] and "created_time" in bad[1].reason


def test_csv_export_and_malformed_files() -> None:
    rows = list(read_export((SOCIAL / "export.csv").read_bytes(), source_id="fb"))
    assert [r.page_name for r in rows if isinstance(r, ExportPost)] == ["Điện Bàn quê tôi"] * 2
    with pytest.raises(ExportError):
        list(read_export(b"[{", source_id="fb"))
    with pytest.raises(ExportError):
        list(read_export(b"a,b\n1,2\n", source_id="fb"))


def test_import_file_stores_posts_and_quarantines_bad_rows(store, crawl_settings) -> None:
    source = Source(
        id="fb", name="Trang cộng đồng", kind=SourceKind.social, method=Method.export, url=str(SOCIAL / "export.json")
    )
    report = import_file(
        SOCIAL / "export.json",
        source,
        sink=store.upsert_items,
        store=store,
        settings=crawl_settings,
        relevance=RelevanceFilter.from_names([]),
    )
    counts = report.sources["fb"].counts
    assert (counts.fetched, counts.new, counts.quarantined) == (5, 3, 2)
    items = list(store.iter_items(ItemQuery()))
    assert {i.provenance.method for i in items} == {"export"} and all(i.kind == "social" for i in items)
    again = import_file(
        SOCIAL / "export.json",
        source,
        sink=store.upsert_items,
        store=store,
        settings=crawl_settings,
        relevance=RelevanceFilter.from_names([]),
    )
    assert again.sources["fb"].counts.new == 0 and again.sources["fb"].counts.unchanged == 3


def test_push_payload_becomes_an_item() -> None:
    item = item_from_push(
        {
            "text": "Tin nhắn chuyển tiếp: Đập thủy điện Sông Tranh 2 bị vỡ?",
            "channel": "zalo",
            "url": "https://zalo.me/s/123?zarsrc=10",
            "reactions": 3,
            "shares": 4,
            "created_time": "2024-10-28T09:00:00+07:00",
        },
        received_by="can-bo-so-ttt",
    )
    assert item.url == "https://zalo.me/s/123" and item.reach == 7 and item.kind == "social"
    assert item.provenance.method == "push" and item.provenance.crawler_run == "push:can-bo-so-ttt:zalo"
    assert item.published_at is not None and item.published_at.hour == 2
    same = item_from_push({"text": "Một tin không có đường dẫn"}, received_by="a")
    assert same.id == item_from_push({"text": "Một tin không có đường dẫn"}, received_by="b").id


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"text": ""},
        {"text": "x", "kind": "rumour"},
        {"text": "x", "reactions": -1},
        {"text": "x", "url": "javascript:alert(1)"},
        {"text": "x", "created_time": "hôm qua"},
        [],
    ],
)
def test_bad_push_payloads_are_input_errors(payload) -> None:
    with pytest.raises(InputError):
        item_from_push(payload, received_by="a")


def test_push_with_unreadable_text_is_refused() -> None:
    with pytest.raises(TextRepairError):
        item_from_push(
            {"text": "Qu\ufffd\ufffdng Nam th\ufffd\ufffdng b\ufffd\ufffdo \ufffd\ufffd\ufffd"}, received_by="a"
        )


def test_relevance_filter_records_why() -> None:
    names = RelevanceFilter.from_names(["Quảng Nam", "Hội An", "Đại Lộc"])
    kept = names.check("Mưa lớn ở Hoi An", "Nước sông dâng cao ở huyện Đại Lộc, tỉnh Quảng Nam.")
    assert kept.relevant and kept.reasons == ["tiêu đề: hoi an", "nội dung: dai loc, quang nam"]
    assert not names.check("Bão đổ bộ Hà Tĩnh", "Nhiều tuyến đường ở Nghệ An bị chia cắt.").relevant
    gazetteer = RelevanceFilter.from_gazetteer()
    verdict = gazetteer.check("Thủy điện xả lũ", "Tại Quảng Nam, thủy điện Đăk Mi 4 nâng lưu lượng xả.")
    assert verdict.relevant and any("Quảng Nam" in r for r in verdict.reasons)
    assert not gazetteer.check("Bão đổ bộ Hà Tĩnh", "Nhiều tuyến đường ở Nghệ An bị chia cắt.").relevant
