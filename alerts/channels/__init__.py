"""Delivery channels: signed webhook, e-mail over SMTP, Telegram bot and Zalo Official Account."""

from __future__ import annotations

from collections.abc import Callable

from alerts.channels.base import DeliveryError, OutgoingAlert
from alerts.models import ChannelTarget
from mediawatch.settings import Settings

Sender = Callable[[OutgoingAlert, ChannelTarget, Settings], None]


def sender_for(channel_type: str) -> Sender:
    """The send function of a channel type."""
    if channel_type == "webhook":
        from alerts.channels.webhook import send
    elif channel_type == "email":
        from alerts.channels.email import send
    elif channel_type == "telegram":
        from alerts.channels.telegram import send
    elif channel_type == "zalo":
        from alerts.channels.zalo import send
    else:
        raise DeliveryError(f"unknown channel type {channel_type!r}")
    return send


__all__ = ["DeliveryError", "OutgoingAlert", "Sender", "sender_for"]
