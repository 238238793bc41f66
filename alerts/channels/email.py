"""E-mail over SMTP (``settings.smtp_*``), plain text with the alert's Vietnamese texts."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from alerts.channels.base import DeliveryError, OutgoingAlert
from alerts.models import ChannelTarget
from mediawatch.settings import Settings
from records.errors import ConfigError

SMTP_TIMEOUT = 15.0


def build_message(
    subject: str, text: str, *, sender: str, to: list[str], message_id: str, html: str | None = None
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


def send_message(msg: EmailMessage, settings: Settings) -> None:
    """Send through the configured SMTP server; DeliveryError when it fails."""
    if not settings.smtp_host or not settings.smtp_from:
        raise ConfigError("e-mail needs MEDIAWATCH_SMTP_HOST and MEDIAWATCH_SMTP_FROM")
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user and settings.smtp_password is not None:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP: {type(exc).__name__}: {exc}") from exc


def send(alert: OutgoingAlert, target: ChannelTarget, settings: Settings) -> None:
    if not settings.smtp_from:
        raise ConfigError("e-mail needs MEDIAWATCH_SMTP_FROM")
    domain = settings.smtp_from.rpartition("@")[2] or "mediawatch.local"
    msg = build_message(
        f"[MediaWatch] {alert.title}",
        f"{alert.message}\n\n{alert.link}\n\nMã cảnh báo: {alert.alert_id}",
        sender=settings.smtp_from,
        to=target.to,
        message_id=f"<{alert.delivery_id}@{domain}>",
    )
    send_message(msg, settings)
