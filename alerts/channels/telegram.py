"""Telegram bot: ``POST {telegram_api_base}/bot<token>/sendMessage`` with a plain-text message."""

from __future__ import annotations

import json

from alerts.channels.base import OutgoingAlert, post_json
from alerts.models import ChannelTarget
from mediawatch.settings import Settings
from records.errors import ConfigError

MAX_TEXT = 4096  # Bot API limit of a message text


def payload(alert: OutgoingAlert, chat_id: str) -> dict:
    """The Bot API sendMessage body (plain text, so no markup in titles can break it)."""
    return {"chat_id": chat_id, "text": alert.chat_text()[:MAX_TEXT], "link_preview_options": {"is_disabled": True}}


def send(alert: OutgoingAlert, target: ChannelTarget, settings: Settings) -> None:
    if settings.telegram_bot_token is None:
        raise ConfigError("telegram channel needs MEDIAWATCH_TELEGRAM_BOT_TOKEN")
    assert target.chat_id is not None
    url = f"{settings.telegram_api_base.rstrip('/')}/bot{settings.telegram_bot_token.get_secret_value()}/sendMessage"
    body = json.dumps(payload(alert, target.chat_id), ensure_ascii=False).encode("utf-8")
    post_json(url, body, {"X-MediaWatch-Delivery": alert.delivery_id})
