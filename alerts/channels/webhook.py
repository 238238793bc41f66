"""Generic webhook: a JSON POST signed with HMAC-SHA256 over ``timestamp + "." + body``.

Headers: ``X-MediaWatch-Signature: sha256=<hex>``, ``X-MediaWatch-Timestamp`` (Unix seconds) and
``X-MediaWatch-Delivery`` (the idempotency key). The target URL passes the SSRF guard first.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from alerts.channels.base import DeliveryError, OutgoingAlert, post_json
from alerts.models import ChannelTarget
from mediawatch.settings import Settings
from records.errors import ConfigError, InputError

SIGNATURE_HEADER = "X-MediaWatch-Signature"
TIMESTAMP_HEADER = "X-MediaWatch-Timestamp"
DELIVERY_HEADER = "X-MediaWatch-Delivery"


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header value for a body sent at ``timestamp``."""
    digest = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: bytes, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver runs: constant-time comparison of the signature."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def check_target(url: str, settings: Settings) -> None:
    """Refuse webhook targets on loopback / private / link-local addresses unless allow-listed."""
    from crawlers.ssrf import check_url

    try:
        check_url(url, allow=settings.ssrf_allow)
    except (InputError, ValueError) as exc:
        raise DeliveryError(f"webhook target refused: {exc}") from exc


def send(alert: OutgoingAlert, target: ChannelTarget, settings: Settings) -> None:
    if settings.webhook_secret is None:
        raise ConfigError("webhook channel needs MEDIAWATCH_WEBHOOK_SECRET")
    assert target.url is not None
    check_target(target.url, settings)
    body = json.dumps(alert.payload(), ensure_ascii=False, sort_keys=True).encode("utf-8")
    timestamp = str(int(time.time()))
    secret = settings.webhook_secret.get_secret_value().encode("utf-8")
    headers = {
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        TIMESTAMP_HEADER: timestamp,
        DELIVERY_HEADER: alert.delivery_id,
    }
    post_json(target.url, body, headers, pinned_allow=settings.ssrf_allow)
