"""SSRF guard and a safe HTTP helper for URLs that users can supply (registry entries added through the
API, alert webhooks, feeds).

``check_url`` resolves the host and refuses loopback, private, link-local, reserved, multicast and
unspecified addresses unless the host, address or network is allow-listed (``settings.ssrf_allow``).
``safe_request`` / ``safe_fetch`` check every hop of a redirect chain again, and cap both the body on
the wire and its decompressed size (a gzip bomb stops at the cap, it is never inflated in memory).

Addresses are pinned: ``pinned_client`` connects only to an address it has just resolved and checked
(the check runs inside the connection, not before it), so a DNS server that answers differently between
a check and the connection (rebinding) cannot steer a request to a private address. TLS still verifies
the certificate against the URL's host name. The crawl child does the same through its DNS resolver
(``crawlers.resolver.PublicOnlyResolver``).
"""

from __future__ import annotations

import ipaddress
import socket
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from crawlers.errors import FetchError, SSRFRefused, TooLarge

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 16 * 1024


def _allowed(host: str, address: IPAddress, allow: Sequence[str]) -> bool:
    for entry in allow:
        entry = entry.strip()
        if not entry:
            continue
        if entry.lower() == host.lower():
            return True
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue  # a host name entry that is not this host
    return False


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host resolves to (an IP literal resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from exc
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        addresses.append(address)
    return addresses


def is_permitted(host: str, address: IPAddress, allow: Sequence[str]) -> bool:
    """True when ``host`` may be contacted at ``address``: a public address, or one allow-listed."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global or _allowed(host, address, allow)


def checked_addresses(host: str, port: int, *, allow: Sequence[str]) -> list[IPAddress]:
    """The host's addresses, or SSRFRefused when any of them is non-public and not allow-listed."""
    addresses = resolve(host, port)
    for address in addresses:
        if not is_permitted(host, address, allow):
            raise SSRFRefused(
                f"{host} resolves to non-public address {address} (add it to ssrf_allow to permit)"
            )
    return addresses


def check_url(url: str, *, allow: Sequence[str]) -> None:
    """Refuse (SSRFRefused) a URL that is not http(s) or whose host resolves to a non-public address,
    unless the host name, the address or a network containing it is in ``allow``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise SSRFRefused(f"refused {url!r}: only http and https URLs are fetched")
    host = parts.hostname
    if not host:
        raise SSRFRefused(f"refused {url!r}: no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise SSRFRefused(f"refused {url!r}: bad port") from exc
    try:
        checked_addresses(host, port, allow=allow)
    except SSRFRefused as exc:
        raise SSRFRefused(f"refused {url!r}: {exc}") from exc


class _PinnedBackend(httpcore.SyncBackend):
    """Resolves, checks and connects to the same address: no window between the check and the connection."""

    def __init__(self, allow: Sequence[str]) -> None:
        self.allow = list(allow)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            address = checked_addresses(host, port, allow=self.allow)[0]
        except SSRFRefused as exc:
            raise SSRFRefused(f"refused connection: {exc}") from exc
        return super().connect_tcp(str(address), port, timeout, local_address, socket_options)


class PinnedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool on the pinned backend (no proxies: trust_env off)."""

    def __init__(self, allow: Sequence[str]) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=httpx.Limits().max_connections,
            network_backend=_PinnedBackend(allow),
        )


def pinned_client(*, allow: Sequence[str], timeout: float | httpx.Timeout = 20.0) -> httpx.Client:
    """An httpx client that only connects to checked public (or allow-listed) addresses; no redirects."""
    return httpx.Client(transport=PinnedTransport(allow), timeout=timeout, follow_redirects=False, trust_env=False)


@dataclass
class FetchResult:
    """A finished response: final URL, status, lower-case headers and the (decompressed) body."""

    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def encoding(self) -> str | None:
        ctype = self.headers.get("content-type", "")
        for part in ctype.split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip('"') or None
        return None


def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """Read the raw stream and decompress it ourselves, never past ``max_bytes`` of output."""
    length = response.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise TooLarge(f"{response.url}: Content-Length {length} above the cap of {max_bytes} bytes")
    coding = response.headers.get("content-encoding", "identity").strip().lower()
    decoder = None
    if coding in ("gzip", "x-gzip", "deflate"):
        decoder = zlib.decompressobj(47)  # auto-detect gzip or zlib header
    elif coding not in ("identity", ""):
        raise FetchError(f"{response.url}: unsupported Content-Encoding {coding!r}")
    out = bytearray()
    raw_total = 0
    for chunk in response.iter_raw(_CHUNK):
        raw_total += len(chunk)
        if raw_total > max_bytes:
            raise TooLarge(f"{response.url}: body above the cap of {max_bytes} bytes")
        if decoder is None:
            out += chunk
        else:
            data = chunk
            while data:
                out += decoder.decompress(data, max_bytes + 1 - len(out))
                if len(out) > max_bytes:
                    raise TooLarge(f"{response.url}: decompressed body above the cap of {max_bytes} bytes")
                data = decoder.unconsumed_tail
        if len(out) > max_bytes:
            raise TooLarge(f"{response.url}: body above the cap of {max_bytes} bytes")
    return bytes(out)


def safe_request(
    method: str,
    url: str,
    *,
    allow: Sequence[str],
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    timeout: float = 20.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = 5,
    client: httpx.Client | None = None,
) -> FetchResult:
    """One HTTP request with the SSRF check on the URL and on every redirect target (GET/HEAD follow
    redirects; other methods return the 3xx). Raises SSRFRefused, FetchError or TooLarge."""
    own = client is None
    http = client or pinned_client(allow=allow, timeout=timeout)
    request_headers = {"Accept-Encoding": "gzip, deflate", **(headers or {})}
    chain: list[str] = []
    try:
        current = url
        for _ in range(max_redirects + 1):
            check_url(current, allow=allow)
            try:
                with http.stream(method, current, headers=request_headers, content=content, timeout=timeout) as resp:
                    if resp.status_code in _REDIRECTS and method.upper() in ("GET", "HEAD"):
                        location = resp.headers.get("location")
                        if not location:
                            raise FetchError(f"{current}: redirect without Location", status=resp.status_code)
                        chain.append(current)
                        current = urljoin(current, location)
                        continue
                    body = b"" if method.upper() == "HEAD" else _read_capped(resp, max_bytes)
                    return FetchResult(
                        url=current,
                        status=resp.status_code,
                        headers={k.lower(): v for k, v in resp.headers.items()},
                        body=body,
                        redirects=chain,
                    )
            except httpx.TimeoutException as exc:
                raise FetchError(f"{current}: timed out after {timeout:g} s") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"{current}: {type(exc).__name__}: {exc}") from exc
            except zlib.error as exc:
                raise FetchError(f"{current}: corrupt compressed body: {exc}") from exc
        raise FetchError(f"{url}: more than {max_redirects} redirects")
    finally:
        if own:
            http.close()


def safe_fetch(
    url: str,
    *,
    allow: Sequence[str],
    headers: Mapping[str, str] | None = None,
    timeout: float = 20.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    client: httpx.Client | None = None,
) -> FetchResult:
    """GET with the SSRF guard, redirects re-checked, and size caps (see ``safe_request``)."""
    return safe_request("GET", url, allow=allow, headers=headers, timeout=timeout, max_bytes=max_bytes, client=client)
