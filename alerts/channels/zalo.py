"""Zalo Official Account: ``POST {zalo_api_base}/v3.0/oa/message/cs`` with the OA access token."""

from __future__ import annotations

import json

from alerts.channels.base import DeliveryError, OutgoingAlert, post_json
from alerts.models import ChannelTarget
from mediawatch.settings import Settings
from records.errors import ConfigError

MESSAGE_PATH = "/v3.0/oa/message/cs"
MAX_TEXT = 2000  # Zalo OA text messages are limited to 2,000 characters


def payload(alert: OutgoingAlert, user_id: str) -> dict:
    """The OA customer-service text message body."""
    return {"recipient": {"user_id": user_id}, "message": {"text": alert.chat_text()[:MAX_TEXT]}}


def send(alert: OutgoingAlert, target: ChannelTarget, settings: Settings) -> None:
    if settings.zalo_oa_token is None:
        raise ConfigError("zalo channel needs MEDIAWATCH_ZALO_OA_TOKEN")
    assert target.user_id is not None
    url = settings.zalo_api_base.rstrip("/") + MESSAGE_PATH
    body = json.dumps(payload(alert, target.user_id), ensure_ascii=False).encode("utf-8")
    response = post_json(url, body, {"access_token": settings.zalo_oa_token.get_secret_value(),
                                     "X-MediaWatch-Delivery": alert.delivery_id})
    # the OA API answers HTTP 200 with {"error": <non-zero>, "message": ...} when it refuses a message
    try:
        answer = response.json()
    except ValueError:
        return
    if isinstance(answer, dict) and answer.get("error") not in (None, 0):
        raise DeliveryError(f"Zalo OA error {answer.get('error')}: {answer.get('message', '')}"[:300])
