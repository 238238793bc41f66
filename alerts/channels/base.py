"""What every channel receives, and the one error a failed delivery raises."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from records.errors import MediaWatchError

HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class DeliveryError(MediaWatchError):
    """A delivery attempt failed (the engine retries it with back-off)."""


@dataclass(frozen=True)
class OutgoingAlert:
    """An alert as sent: its id, a delivery id that stays the same across retries, and the texts."""

    alert_id: str
    delivery_id: str  # idempotency key: receivers drop a repeat of one they already have
    kind: str
    scope: str
    scope_value: str
    level: int
    critical: bool
    title: str
    message: str
    link: str
    created_at: str
    figures: dict[str, Any]

    def payload(self) -> dict[str, Any]:
        """The JSON body of the webhook (content only: no author or account appears in an alert)."""
        return {
            "alert_id": self.alert_id,
            "delivery_id": self.delivery_id,
            "kind": self.kind,
            "scope": self.scope,
            "scope_value": self.scope_value,
            "level": self.level,
            "critical": self.critical,
            "title": self.title,
            "message": self.message,
            "link": self.link,
            "created_at": self.created_at,
            "figures": self.figures,
        }

    def chat_text(self) -> str:
        """Plain text for chat apps: title, message, link."""
        return f"{self.title}\n{self.message}\n{self.link}"


def post_json(
    url: str, body: bytes, headers: dict[str, str], *, pinned_allow: Sequence[str] | None = None
) -> httpx.Response:
    """POST a JSON body; DeliveryError on a transport error or a non-2xx answer. No redirects followed.

    With ``pinned_allow`` (user-supplied targets such as webhooks) the connection goes only to an address
    resolved and checked at connect time (``crawlers.ssrf.pinned_client``): no DNS-rebinding window.
    """
    from crawlers.errors import SSRFRefused
    from crawlers.ssrf import pinned_client

    try:
        client = (
            httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=False, trust_env=False)
            if pinned_allow is None
            else pinned_client(allow=pinned_allow, timeout=HTTP_TIMEOUT)
        )
        with client:
            response = client.post(url, content=body, headers={"Content-Type": "application/json", **headers})
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    except SSRFRefused as exc:
        raise DeliveryError(f"webhook target refused: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"HTTP {response.status_code} from {httpx.URL(url).host}")
    return response
