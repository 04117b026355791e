"""The address guard (no server-side request forgery) and the one HTTP request of a delivery attempt.

An endpoint's address must be `https` and its name must resolve to public addresses only: private, loopback,
link-local (the cloud metadata address 169.254.169.254 among them), carrier-grade NAT (100.64.0.0/10), unique local
(fd00:ec2::254, the IPv6 metadata address, among them), multicast, reserved and unspecified addresses are refused,
also when written as IPv4-mapped or NAT64 IPv6. It is checked when saved and again at every attempt: the name is
resolved once and the connection goes to the address checked (the Host header and the TLS server name stay the
name's, so the certificate is verified for it), so a name that resolves elsewhere a moment later gains nothing.

Locally (`make run`, tests) CALLCARD_WEBHOOKS_ALLOW_LOOPBACK=true lets `http` and `https` reach loopback addresses
(and nothing else more): the template never sets it.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOW_LOOPBACK_VARIABLE = "CALLCARD_WEBHOOKS_ALLOW_LOOPBACK"
TIMEOUT_SECONDS = 10.0
ANSWER_LIMIT_BYTES = 4096  # of a receiver's answer, read for the delivery log; the rest is never read
_CARRIER_GRADE_NAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedAddressError(Exception):
    """The address may not receive webhooks (the message says why, for the 422 and the delivery log)."""


@dataclass(frozen=True)
class Target:
    """An endpoint's address, checked: connect to `address`, speak to `host`."""

    scheme: str
    host: str
    port: int
    path: str
    address: IpAddress

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def loopback_allowed() -> bool:
    return os.environ.get(ALLOW_LOOPBACK_VARIABLE, "").lower() in ("1", "true", "yes")


def refusal(address: IpAddress) -> str | None:
    """Why `address` may not receive webhooks; None when it may."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or (
            ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in _NAT64 else None
        )
        if embedded is not None:
            return refusal(embedded)
    if address.is_loopback:
        return None if loopback_allowed() else "a loopback address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_link_local:
        return "a link-local address (cloud metadata among them)"
    if isinstance(address, ipaddress.IPv4Address) and address in _CARRIER_GRADE_NAT:
        return "a carrier-grade NAT address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private or address.is_reserved or not address.is_global:
        return "a private or reserved address"
    return None


def check(url: str) -> Target:
    """The address to connect to for `url`, or RefusedAddressError (resolves the name: one DNS lookup)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RefusedAddressError("not a valid address") from exc
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise RefusedAddressError("must be an https:// address")
    if parts.username is not None or parts.password is not None:
        raise RefusedAddressError("must not hold a user name or password")
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    address = _resolve(host, port)
    reason = refusal(address)
    if reason:
        raise RefusedAddressError(f"{host} is {reason}")
    if parts.scheme == "http" and not (loopback_allowed() and address.is_loopback):
        raise RefusedAddressError("must be an https:// address")
    path = parts.path or "/"
    return Target(parts.scheme, host, port, f"{path}?{parts.query}" if parts.query else path, address)


def _resolve(host: str, port: int) -> IpAddress:
    """The first address of `host`, once every address it resolves to passed (a name with one private address
    among public ones could be made to connect there)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise RefusedAddressError(f"{host} does not resolve") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    for address in addresses:
        reason = refusal(address)
        if reason:
            raise RefusedAddressError(f"{host} resolves to {reason}")
    return addresses[0]


@dataclass(frozen=True)
class Answer:
    status: int
    retry_after: str | None


def post(target: Target, headers: dict[str, str], body: bytes) -> Answer:
    """POST `body` to the checked address: TIMEOUT_SECONDS in all, no redirect followed, at most
    ANSWER_LIMIT_BYTES of the answer read. Raises urllib3's errors (network, timeout, TLS)."""
    # imported here: only the delivery function sends (urllib3 comes with botocore)
    import urllib3

    timeout = urllib3.Timeout(total=TIMEOUT_SECONDS)
    address = str(target.address)
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False, maxsize=1)
    with pool:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": target.host_header},
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            response.read(ANSWER_LIMIT_BYTES)
        finally:
            response.release_conn()
    return Answer(response.status, response.headers.get("Retry-After"))
