"""Synthetic items for the alert simulations and the benchmarks (never used on real data).

Items are content only: a source, a title, a text, topics and places; no author is ever set.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from records.districts import DISTRICTS
from records.schema import TOPIC_IDS, Flag, FlagKind, Item, PlaceMention, SourceKind

_PHRASES = {
    "disaster": "mưa lớn, nước sông Vu Gia dâng cao, thủy điện xả lũ, nhiều khu dân cư bị ngập",
    "accident": "va chạm giao thông trên quốc lộ 1A, một người bị thương",
    "public_order": "công an bắt giữ nhóm đối tượng trộm cắp tài sản",
    "health": "bệnh viện tiếp nhận nhiều ca sốt xuất huyết, ngành y tế khuyến cáo",
    "education": "học sinh trở lại trường, phụ huynh băn khoăn về các khoản thu",
    "land": "người dân kiến nghị về giá bồi thường giải phóng mặt bằng",
    "environment": "ô nhiễm nguồn nước, cá chết hàng loạt trên sông",
    "economy": "giá thu mua nông sản giảm, doanh nghiệp gặp khó",
    "tourism_culture": "du khách đến phố cổ Hội An tăng mạnh dịp lễ hội",
    "infrastructure": "tuyến đường ĐT 609 sạt lở, cầu tạm hư hỏng",
    "governance": "lấy ý kiến dự thảo quy định mới về thủ tục hành chính",
}


def make_item(
    n: int,
    at: datetime,
    *,
    topics: Sequence[str] = (),
    districts: Sequence[str] = (),
    flags: Sequence[str] = (),
    source_id: str = "bao-quang-nam",
    kind: SourceKind = SourceKind.press,
    title: str | None = None,
    text: str | None = None,
    incident_id: str | None = None,
    reach: int | None = None,
    tag: str = "sim",
) -> Item:
    """One item published at ``at``; ``n`` and ``tag`` make its URL unique."""
    url = f"https://{source_id}.example.vn/{tag}/{n}"
    topic_text = "; ".join(_PHRASES[t] for t in topics)
    title = title if title is not None else f"Tin {n}: " + (", ".join(districts) or "Quảng Nam")
    text = text if text is not None else f"{topic_text}. Bản tin số {n} tại {', '.join(districts) or 'Quảng Nam'}."
    return Item.identified(
        url=url,
        source_id=source_id,
        kind=kind,
        title=title,
        text=text,
        published_at=at,
        collected_at=at + timedelta(minutes=5),
        language="vi",
        topics=list(topics),
        places=[PlaceMention(mention=d, district=d, name=d, place_type="district") for d in districts],
        flags=[Flag(kind=FlagKind(f), score=0.9, reasons=["mô phỏng"]) for f in flags],
        incident_id=incident_id,
        reach=reach,
    )


def spread_in_hour(hour_start: datetime, count: int) -> list[datetime]:
    """``count`` publication times spread evenly inside one hour."""
    return [hour_start + timedelta(seconds=int(3600 * (i + 0.5) / count)) for i in range(count)]


def random_week(n_items: int, start: datetime, *, seed: int = 7, days: int = 7) -> Iterator[Item]:
    """``n_items`` plausible items over ``days`` days from ``start`` (daily rhythm, mixed topics/places)."""
    rng = random.Random(seed)
    hour_weights = [0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 1.5, 2, 2, 2, 1.8, 1.5, 1.5, 1.8, 2, 2, 1.8, 1.6, 1.5, 1.3,
                    1, 0.6, 0.4]
    kinds = [SourceKind.press, SourceKind.social, SourceKind.official]
    sources = [f"nguon-{i:02d}" for i in range(40)]
    for n in range(n_items):
        day = rng.randrange(days)
        hour = rng.choices(range(24), weights=hour_weights)[0]
        at = start + timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
        topics = rng.sample(TOPIC_IDS, k=rng.choice((1, 1, 1, 2)))
        districts = rng.sample(DISTRICTS, k=rng.choice((0, 1, 1, 1, 2)))
        flags = [f for f in ("misinformation", "scam", "hate_speech") if rng.random() < 0.02]
        yield make_item(
            n, at, topics=topics, districts=districts, flags=flags, source_id=rng.choice(sources),
            kind=rng.choice(kinds), reach=rng.randrange(5000), tag=f"w{seed}",
        )
