"""Helpers shared by the test areas: items built the way the crawlers build them, and a clock the test moves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from records.schema import Item, PlaceMention, SourceKind

# A provincial flood bulletin and a true social post (written without diacritics) that repeats one of its
# sentences: the corroboration tests' pair (nlp/corroboration.py).
CAU_LAU_BULLETIN = (
    "Đến 15 giờ, mực nước sông Vu Gia tại Ái Nghĩa và sông Thu Bồn tại Câu Lâu đều vượt báo động 3. "
    "Toàn tỉnh đã sơ tán 1.250 hộ với hơn 4.000 người; chưa ghi nhận thiệt hại về người."
)
CAU_LAU_POST = ("Nuoc song Thu Bon o Cau Lau da vuot bao dong 3 roi, ba con Duy Xuyen o gan song nho di chuyen den "
                "diem so tan, dem nay nuoc con len.")


def build_item(
    *,
    url: str,
    title: str,
    text: str,
    source_id: str,
    published_at: datetime | None,
    collected_at: datetime,
    kind: SourceKind = SourceKind.press,
    districts: Sequence[str] = (),
    **fields: Any,
) -> Item:
    """An item whose id and content hash come from the identity helpers (as a crawler's would); each of
    ``districts`` becomes a place mention of that district. ``fields``: any other ``Item`` field."""
    return Item.identified(
        url=url,
        source_id=source_id,
        kind=kind,
        title=title,
        text=text,
        published_at=published_at,
        collected_at=collected_at,
        places=[PlaceMention(mention=d, district=d) for d in districts],
        **fields,
    )


class FrozenClock:
    """A clock the code under test reads and the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
