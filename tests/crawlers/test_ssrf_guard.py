"""The SSRF guard and the safe fetch helper: private targets refused (also after a redirect), the
allow-list honoured, bodies and decompressed bodies capped."""

from __future__ import annotations

import re

import pytest
from crawl_mocksite import MockSite

from crawlers.errors import FetchError, SSRFRefused, TooLarge
from crawlers.ssrf import check_url, safe_fetch


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8080/admin",
        "http://10.1.2.3/",
        "http://192.168.1.1/",
        "http://172.16.0.5/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
    ],
)
def test_non_public_addresses_are_refused(url: str) -> None:
    with pytest.raises(SSRFRefused):
        check_url(url, allow=[])


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://127.0.0.1/", "ftp://example.org/x"])
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(SSRFRefused):
        check_url(url, allow=["127.0.0.1"])


def test_allow_list_by_address_network_or_host() -> None:
    check_url("http://127.0.0.1:9000/feed.rss", allow=["127.0.0.1"])
    check_url("http://10.1.2.3/", allow=["10.0.0.0/8"])
    check_url("http://localhost/", allow=["localhost"])
    with pytest.raises(SSRFRefused):
        check_url("http://10.1.2.3/", allow=["127.0.0.1", "192.168.0.0/16"])


def test_public_literal_address_passes() -> None:
    check_url("https://93.184.216.34/", allow=[])  # resolving an IP literal needs no DNS


def test_unresolvable_host_is_a_fetch_error() -> None:
    with pytest.raises(FetchError):
        check_url("http://no-such-host.invalid/", allow=[])


def test_redirect_to_a_private_address_is_refused(mock_site: MockSite) -> None:
    with pytest.raises(SSRFRefused, match=r"10\.255\.255\.1"):
        safe_fetch(mock_site.url("/redirect-private/x.html"), allow=["127.0.0.1"])
    result = safe_fetch(mock_site.url("/redirect/bqn/feed.rss"), allow=["127.0.0.1"])
    assert result.status == 200 and result.url.endswith("/bqn/feed.rss") and result.redirects
    assert b"<rss" in result.body and result.etag


def test_loopback_is_refused_without_the_allow_list(mock_site: MockSite) -> None:
    with pytest.raises(SSRFRefused):
        safe_fetch(mock_site.url("/bqn/feed.rss"), allow=[])
    assert mock_site.paths() == []


def test_gzip_bomb_and_large_bodies_are_capped(mock_site: MockSite) -> None:
    with pytest.raises(TooLarge, match="decompressed"):
        safe_fetch(mock_site.url("/bomb/x.html"), allow=["127.0.0.1"], max_bytes=1024 * 1024)
    with pytest.raises(TooLarge):
        safe_fetch(mock_site.url("/bqn/lu-dai-loc-10001.html"), allow=["127.0.0.1"], max_bytes=100)


def test_conditional_get_answers_not_modified(mock_site: MockSite) -> None:
    first = safe_fetch(mock_site.url("/bqn/feed.rss"), allow=["127.0.0.1"])
    again = safe_fetch(mock_site.url("/bqn/feed.rss"), allow=["127.0.0.1"], headers={"If-None-Match": first.etag})
    assert again.not_modified and again.body == b""


def _fake_dns(monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> list[str]:
    """Make every lookup of a ``*.test`` host answer the next address of ``answers`` (the last one repeats)."""
    import socket

    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list:
        if not str(host).endswith(".test"):
            return real(host, port, *args, **kwargs)  # type: ignore[arg-type]
        asked.append(str(host))
        address = answers[min(len(asked), len(answers)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr("crawlers.ssrf.socket.getaddrinfo", getaddrinfo)
    return asked


def test_dns_rebinding_between_check_and_connection_is_refused(
    mock_site: MockSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = mock_site.base_url.rsplit(":", 1)[1]
    asked = _fake_dns(monkeypatch, ["93.184.216.34", "127.0.0.1"])  # public for the check, loopback after
    refused = re.escape("refused connection: rebind.test resolves to non-public address 127.0.0.1")
    with pytest.raises(SSRFRefused, match=refused):
        safe_fetch(f"http://rebind.test:{port}/bqn/feed.rss", allow=[])
    assert len(asked) == 2 and mock_site.requests == []  # checked again at connect time; nothing was sent


def test_the_connection_goes_to_the_address_that_was_checked(
    mock_site: MockSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = mock_site.base_url.rsplit(":", 1)[1]
    _fake_dns(monkeypatch, ["127.0.0.1"])  # a name no real resolver knows: only the checked answer can be used
    result = safe_fetch(f"http://pinned.test:{port}/bqn/feed.rss", allow=["127.0.0.1"])
    assert result.status == 200
    assert [(host, path) for host, path, _ in mock_site.requests] == [(f"pinned.test:{port}", "/bqn/feed.rss")]
