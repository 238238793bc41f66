"""Deliveries to local receivers on loopback: webhook, Telegram and Zalo payloads at an HTTP sink,
e-mail at an aiosmtpd server. Each alert arrives exactly once, also after a failed attempt and a
retry, and after the engine restarts; HMAC verifies; quiet hours hold non-critical alerts."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest

from alerts.channels.webhook import verify
from alerts.engine import AlertEngine, list_alerts
from alerts.models import DeliveryStatus
from alerts.rules import save_rule
from mediawatch.settings import Settings
from records.schema import Incident

NOON_UTC = datetime(2026, 11, 18, 5, 0, tzinfo=UTC)  # 12:00 in Quảng Nam
LATE_EVENING_UTC = datetime(2026, 11, 18, 16, 0, tzinfo=UTC)  # 23:00 in Quảng Nam


def with_settings(settings: Settings, update: dict) -> Settings:
    """A validated copy (``model_copy`` would skip validation, leaving secrets as plain str)."""
    return Settings(_env_file=None, **{**settings.model_dump(), **update})  # type: ignore[call-arg]


def _settings(settings, http_sink, smtp_sink):
    return with_settings(
        settings,
        {
            "telegram_api_base": http_sink.url + "/tg",
            "telegram_bot_token": "123:abc",
            "zalo_api_base": http_sink.url + "/zalo",
            "zalo_oa_token": "zalo-token",
            "smtp_host": smtp_sink.host,
            "smtp_port": smtp_sink.port,
            "smtp_from": "canhbao@mediawatch.local",
        },
    )


def _rule(store, http_sink, *, rule_id: str = "severe-all", channels: list | None = None) -> None:
    save_rule(
        store,
        {
            "id": rule_id,
            "name": "Sự việc nghiêm trọng",
            "kind": "incident",
            "scope": "incident",
            "thresholds": {"min_severity": 4},
            "critical_level": 5,
            "quiet_hours": {"start": "22:00", "end": "06:00"},
            "channels": channels
            if channels is not None
            else [
                {"type": "webhook", "url": http_sink.url + "/hook"},
                {"type": "telegram", "chat_id": "-1001"},
                {"type": "zalo", "user_id": "8899"},
                {"type": "email", "to": ["trucban@example.vn"]},
            ],
        },
        actor="admin",
    )


def _incident(store, now: datetime, *, incident_id: str = "inc-dap", severity: int = 4) -> Incident:
    return store.create_incident(
        Incident(
            id=incident_id,
            title="Tin đồn vỡ đập thủy điện ở Phước Sơn",
            severity=severity,
            item_ids=["a", "b", "c"],
            topics=["disaster"],
            districts=["Phước Sơn"],
            flag_kinds=["misinformation"],
            sources=["facebook-page-1", "bao-quang-nam"],
            owner_unit="bch_pctt_tkcn",
            first_seen=now - timedelta(hours=2),
            last_seen=now - timedelta(minutes=5),
        )
    )


def test_each_alert_arrives_exactly_once_on_every_channel(store, settings, clock, http_sink, smtp_sink) -> None:
    settings = _settings(settings, http_sink, smtp_sink)
    clock.now = NOON_UTC
    _rule(store, http_sink)
    _incident(store, clock.now)
    engine = AlertEngine(store, settings, seed_defaults=False, clock=clock)

    alerts = engine.evaluate()
    assert [a.scope_value for a in alerts] == ["inc-dap"]
    report = engine.deliver_pending()
    assert (report.sent, report.failed) == (4, 0)
    assert engine.deliver_pending().sent == 0

    paths = sorted(r.path for r in http_sink.accepted)
    assert paths == ["/hook", "/tg/bot123:abc/sendMessage", "/zalo/v3.0/oa/message/cs"]
    assert len(smtp_sink.messages) == 1

    hook = next(r for r in http_sink.accepted if r.path == "/hook")
    assert verify(b"test-webhook-secret", hook.headers["x-mediawatch-timestamp"], hook.body,
                  hook.headers["x-mediawatch-signature"])
    assert not verify(b"another-secret", hook.headers["x-mediawatch-timestamp"], hook.body,
                      hook.headers["x-mediawatch-signature"])
    payload = hook.json()
    assert payload["alert_id"] == alerts[0].id and payload["level"] == 4
    assert "Sự việc mức nghiêm trọng 4/5" in payload["title"]
    assert "author" not in hook.body.decode("utf-8")

    tg = next(r for r in http_sink.accepted if r.path.startswith("/tg")).json()
    assert tg["chat_id"] == "-1001" and "Phước Sơn" in tg["text"]
    zalo = next(r for r in http_sink.accepted if r.path.startswith("/zalo"))
    assert zalo.headers["access_token"] == "zalo-token"
    assert zalo.json()["recipient"] == {"user_id": "8899"} and "Thiên tai" in zalo.json()["message"]["text"]
    mail = smtp_sink.messages[0]
    assert mail["To"] == "trucban@example.vn" and "nghiêm trọng" in mail["Subject"]
    assert "Tin sai sự thật" in mail.get_content()
    assert "Đơn vị chủ trì: Ban Chỉ huy Phòng chống thiên tai và Tìm kiếm cứu nạn tỉnh" in mail.get_content()

    # a restarted engine on the same store neither raises the alert again nor resends it
    restarted = AlertEngine(store, settings, seed_defaults=False, clock=clock)
    clock.advance(minutes=10)
    assert restarted.evaluate() == []
    assert restarted.deliver_pending().sent == 0
    assert len(http_sink.accepted) == 3 and len(smtp_sink.messages) == 1

    # a higher severity is a new alert
    incident = store.get_incident("inc-dap")
    incident.severity = 5
    store.update_incident(incident)
    escalated = restarted.evaluate()
    assert [(a.level, a.critical) for a in escalated] == [(5, True)]


def test_a_failed_attempt_is_retried_with_backoff_and_arrives_once(store, settings, clock, http_sink) -> None:
    clock.now = NOON_UTC
    _rule(store, http_sink, channels=[{"type": "webhook", "url": http_sink.url + "/hook"}])
    _incident(store, clock.now)
    engine = AlertEngine(store, settings, seed_defaults=False, clock=clock, retry_base=timedelta(seconds=30))
    engine.evaluate()
    http_sink.fail_next = [500]

    first = engine.deliver_pending()
    assert (first.sent, first.failed) == (0, 1) and len(http_sink.refused) == 1
    assert engine.deliver_pending().sent == 0  # not due yet: back-off
    clock.advance(seconds=31)
    # the retry happens in a restarted engine: state is in the store
    second = AlertEngine(store, settings, seed_defaults=False, clock=clock).deliver_pending()
    assert second.sent == 1
    clock.advance(minutes=5)
    assert engine.deliver_pending().sent == 0
    assert len(http_sink.accepted) == 1
    # both attempts carried the same delivery id, so a receiver can drop a repeat
    delivery_ids = [r.headers["x-mediawatch-delivery"] for r in (*http_sink.refused, *http_sink.accepted)]
    assert len(delivery_ids) == 2 and len(set(delivery_ids)) == 1


def test_back_off_grows_then_gives_up_and_the_alert_can_be_resent(store, settings, clock, http_sink) -> None:
    clock.now = NOON_UTC
    _rule(store, http_sink, channels=[{"type": "webhook", "url": http_sink.url + "/hook"}])
    _incident(store, clock.now)
    engine = AlertEngine(
        store, settings, seed_defaults=False, clock=clock, max_attempts=3, retry_base=timedelta(seconds=10)
    )
    (alert,) = engine.evaluate()
    http_sink.fail_next = [503, 503, 503]
    waits = []
    for _ in range(3):
        engine.deliver_pending()
        delivery = next(iter(engine.get_alert(alert.id)[0].deliveries.values()))
        if delivery.next_attempt_at:
            waits.append((delivery.next_attempt_at - clock.now).total_seconds())
            clock.now = delivery.next_attempt_at
    assert waits == [10, 20]
    assert delivery.status == DeliveryStatus.failed and delivery.attempts == 3
    assert http_sink.accepted == []

    engine.resend(alert.id, actor="analyst1")
    assert engine.deliver_pending().sent == 1
    assert len(http_sink.accepted) == 1
    assert any(e.action == "alert.resend" for e in store.iter_audit())


def test_quiet_hours_hold_non_critical_alerts_until_morning(store, settings, clock, http_sink) -> None:
    clock.now = LATE_EVENING_UTC
    _rule(store, http_sink, channels=[{"type": "webhook", "url": http_sink.url + "/hook"}])
    _incident(store, clock.now, incident_id="inc-4", severity=4)
    _incident(store, clock.now, incident_id="inc-5", severity=5)
    engine = AlertEngine(store, settings, seed_defaults=False, clock=clock)
    assert len(engine.evaluate()) == 2
    report = engine.deliver_pending()
    assert (report.sent, report.held) == (1, 1)
    assert [r.json()["scope_value"] for r in http_sink.accepted] == ["inc-5"]

    clock.now = datetime(2026, 11, 18, 22, 59, tzinfo=UTC)  # 05:59 local: still quiet
    assert engine.deliver_pending().sent == 0
    clock.now = datetime(2026, 11, 18, 23, 0, tzinfo=UTC)  # 06:00 local
    assert engine.deliver_pending().sent == 1
    assert [r.json()["scope_value"] for r in http_sink.accepted] == ["inc-5", "inc-4"]


def test_silence_records_but_does_not_deliver_until_unsilenced_and_resent(store, settings, clock, http_sink) -> None:
    clock.now = NOON_UTC
    _rule(store, http_sink, channels=[{"type": "webhook", "url": http_sink.url + "/hook"}])
    engine = AlertEngine(store, settings, seed_defaults=False, clock=clock)
    silence = engine.silence(actor="analyst1", until=clock.now + timedelta(hours=2), rule_id="severe-all",
                             reason="đang họp báo")
    _incident(store, clock.now)
    (alert,) = engine.evaluate()
    assert alert.silenced
    assert engine.deliver_pending().sent == 0 and http_sink.accepted == []
    assert [a.id for a in list_alerts(store)] == [alert.id]

    engine.unsilence(silence.id, actor="analyst1")
    assert engine.silences() == []
    engine.resend(alert.id, actor="analyst1")
    assert engine.deliver_pending().sent == 1


def test_acknowledge_is_recorded_and_audited(store, settings, clock, http_sink) -> None:
    clock.now = NOON_UTC
    _rule(store, http_sink, channels=[])
    _incident(store, clock.now)
    engine = AlertEngine(store, settings, seed_defaults=False, clock=clock)
    (alert,) = engine.evaluate()
    acked = engine.acknowledge(alert.id, actor="analyst1")
    assert acked.acknowledged_by == "analyst1"
    assert list_alerts(store, open_only=True) == []
    assert [e.target for e in store.iter_audit() if e.action == "alert.acknowledge"] == [f"alert:{alert.id}"]


def _deliver_to_webhook_without_allow_list(store, settings, clock, http_sink, url: str):
    settings = with_settings(settings, {"ssrf_allow": []})
    clock.now = NOON_UTC
    _rule(store, http_sink, channels=[{"type": "webhook", "url": url}])
    _incident(store, clock.now)
    engine = AlertEngine(store, settings, seed_defaults=False, clock=clock)
    engine.evaluate()
    return engine.deliver_pending()


def test_webhook_to_a_private_address_is_refused_by_the_ssrf_guard(store, settings, clock, http_sink) -> None:
    report = _deliver_to_webhook_without_allow_list(store, settings, clock, http_sink, http_sink.url + "/hook")
    assert report.sent == 0 and report.failed == 1
    assert "refused" in report.errors[0]
    assert http_sink.accepted == [] and http_sink.refused == []


def test_webhook_host_rebinding_to_a_private_address_is_refused_at_connect_time(
    store, settings, clock, http_sink, monkeypatch
) -> None:
    """The guard's lookup says public, the connection's lookup says loopback: the connection is refused."""
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34", "127.0.0.1"])

    def rebinding(host, port, *args, **kwargs):
        if host != "hook.test":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers, "127.0.0.1"), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = http_sink.url.rsplit(":", 1)[1]
    report = _deliver_to_webhook_without_allow_list(store, settings, clock, http_sink, f"http://hook.test:{port}/hook")
    assert report.sent == 0 and report.failed == 1
    assert "refused connection: hook.test resolves to non-public address 127.0.0.1" in report.errors[0]
    assert http_sink.accepted == [] and http_sink.refused == []


@pytest.mark.parametrize("bad", [
    {"id": "x", "name": "x", "kind": "spike", "scope": "topic", "values": ["weather"]},
    {"id": "x", "name": "x", "kind": "breaking", "scope": "topic"},
    {"id": "x", "name": "x", "kind": "spike", "scope": "incident"},
    {"id": "x", "name": "x", "channels": [{"type": "email"}]},
    {"id": "x", "name": "x", "quiet_hours": {"start": "25:00", "end": "06:00"}},
    {"id": "Bad Id", "name": "x"},
])
def test_invalid_rules_are_refused_with_reasons(store, bad) -> None:
    from records.errors import InputError

    with pytest.raises(InputError, match="invalid alert rule"):
        save_rule(store, bad, actor="admin")


class _FlakyStore:
    """The real store, except that its first ``list_records`` call fails (a locked database)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.failures = 1

    def list_records(self, collection: str):
        if self.failures:
            self.failures -= 1
            from records.errors import StoreError

            raise StoreError("database is locked")
        return self.inner.list_records(collection)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


def test_continuous_mode_survives_a_failing_pass_and_delivers(store, settings, clock, http_sink) -> None:
    import threading

    clock.now = NOON_UTC
    _rule(store, http_sink, channels=[{"type": "webhook", "url": http_sink.url + "/hook"}])
    _incident(store, clock.now)
    flaky = _FlakyStore(store)
    engine = AlertEngine(flaky, settings, seed_defaults=False, clock=clock)
    stop = threading.Event()
    loop = threading.Thread(target=engine.run_continuous, kwargs={"poll_seconds": 0.05, "stop": stop})
    loop.start()
    try:
        assert http_sink.arrived.wait(10)
    finally:
        stop.set()
        loop.join(10)
    assert flaky.failures == 0 and len(http_sink.accepted) == 1


def test_a_zalo_refusal_inside_http_200_is_a_failed_delivery(store, settings, clock, http_sink, smtp_sink) -> None:
    settings = _settings(settings, http_sink, smtp_sink)
    clock.now = NOON_UTC
    _rule(store, http_sink, channels=[{"type": "zalo", "user_id": "8899"}])
    _incident(store, clock.now)
    engine = AlertEngine(store, settings, seed_defaults=False, clock=clock)
    (alert,) = engine.evaluate()
    http_sink.reply = b'{"error": -216, "message": "Access token is invalid"}'
    report = engine.deliver_pending()
    assert (report.sent, report.failed) == (0, 1) and "-216" in report.errors[0]
    delivery = engine.get_alert(alert.id)[0].deliveries["zalo:8899"]
    assert delivery.status == DeliveryStatus.pending and delivery.attempts == 1 and delivery.next_attempt_at > clock.now


def test_old_incident_level_marks_are_pruned(store, settings, clock, http_sink) -> None:
    clock.now = NOON_UTC
    _rule(store, http_sink, channels=[])
    _incident(store, clock.now)
    engine = AlertEngine(store, settings, seed_defaults=False, clock=clock)
    assert len(engine.evaluate()) == 1
    assert store.get_record("alert_state", "incident:severe-all:inc-dap") is not None
    clock.advance(days=31)  # the incident is no longer seen; its mark is forgotten
    assert engine.evaluate() == []
    assert store.get_record("alert_state", "incident:severe-all:inc-dap") is None
