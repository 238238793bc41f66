"""The weekly digest is also sent as e-mail (HTML with a plain-text part) through SMTP on loopback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alerts.synthetic import make_item
from mediawatch.settings import Settings
from records.errors import InputError
from reports.digest import build_digest, send_digest


def test_digest_is_sent_as_html_mail(store, settings, smtp_sink) -> None:
    monday = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)  # 00:00 Monday 23/11 in Quảng Nam
    store.upsert_items([make_item(i, monday + timedelta(hours=3 * i), topics=["disaster"], districts=["Đại Lộc"])
                        for i in range(20)])
    settings = Settings(_env_file=None, **{**settings.model_dump(), "smtp_host": smtp_sink.host,  # type: ignore[call-arg]
                                           "smtp_port": smtp_sink.port, "smtp_from": "bantin@mediawatch.local"})
    digest = build_digest(store, "2026-W48", settings=settings)
    assert digest.figures["total"] == 20
    send_digest(digest, settings=settings, to=["lanhdao@example.vn", "totruc@example.vn"])
    (mail,) = smtp_sink.messages
    assert mail["Subject"] == digest.subject and "20 tin" in mail["Subject"]
    assert mail["To"] == "lanhdao@example.vn, totruc@example.vn"
    html = mail.get_body(preferencelist=("html",)).get_content()
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Bản tin tổng hợp thông tin tuần 2026-W48" in html and "data:image/png;base64," in html
    assert "Tuần 2026-W48: 20 tin" in text
    with pytest.raises(InputError):
        send_digest(digest, settings=settings, to=[])
