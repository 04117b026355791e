"""Visit capture, pure functions: campaign tags and click ids, source/medium, device, IP and geolocation.

Source and medium follow web analytics (DESIGN.md section 2): `utm_*` tags win; else a search engine
referrer is `organic`, a social network `social`, another site `referral`, no referrer `(direct) / (none)`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from chalicelib import text

UTM_FIELDS = ("source", "medium", "campaign", "term", "content")
CLICK_IDS = ("gclid", "gbraid", "wbraid", "dclid", "fbclid", "msclkid", "ttclid", "twclid", "li_fat_id", "yclid")

# host suffix -> source name
SEARCH_ENGINES = {
    "google": "google",
    "bing.com": "bing",
    "yahoo.com": "yahoo",
    "duckduckgo.com": "duckduckgo",
    "yandex": "yandex",
    "baidu.com": "baidu",
    "ecosia.org": "ecosia",
    "search.brave.com": "brave",
    "startpage.com": "startpage",
    "ask.com": "ask",
    "naver.com": "naver",
    "seznam.cz": "seznam",
}
SOCIAL_NETWORKS = {
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "instagram.com": "instagram",
    "t.co": "twitter",
    "twitter.com": "twitter",
    "x.com": "twitter",
    "linkedin.com": "linkedin",
    "lnkd.in": "linkedin",
    "youtube.com": "youtube",
    "tiktok.com": "tiktok",
    "pinterest.com": "pinterest",
    "reddit.com": "reddit",
    "vk.com": "vk",
    "t.me": "telegram",
    "telegram.org": "telegram",
    "threads.net": "threads",
    "ok.ru": "odnoklassniki",
}
DIRECT = ("(direct)", "(none)")
# What a visit keeps of each campaign tag, click id and location header (web analytics cut tags at 100 too) and of
# the user agent: together with ASCII URLs they bound a card's visit sections (README, answer sizes).
MAX_VALUE = 100
MAX_USER_AGENT = 512
BOT_DEVICE_FAMILY = "Spider"
# What a visit keeps of the visitor's IP (project setting `ip_storage`)
IpStorage = Literal["full", "truncated", "none"]
# the network a truncated address keeps, as analytics anonymise: IPv4 /24 (last octet zeroed), IPv6 /48
TRUNCATED_PREFIX = {4: 24, 6: 48}


def _host(url: str | None) -> str:
    if not url:
        return ""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.").removeprefix("m.")


def _matches(host: str, table: Mapping[str, str]) -> str | None:
    """The name of the first entry whose key is the host, a parent domain of it, or (google/yandex) a label."""
    labels = host.split(".")
    for key, name in table.items():
        if "." not in key:
            if key in labels:
                return name
        elif host == key or host.endswith("." + key):
            return name
    return None


def source_medium(referrer: str | None, landing_host: str = "") -> tuple[str, str]:
    """Source and medium of untagged traffic; a referrer from the site itself counts as direct."""
    host = _host(referrer)
    if not host or host == landing_host:
        return DIRECT
    engine = _matches(host, SEARCH_ENGINES)
    if engine:
        return engine, "organic"
    network = _matches(host, SOCIAL_NETWORKS)
    if network:
        return network, "social"
    return host, "referral"


def page_without_query(url: str) -> str:
    """The page a URL names, without its query string and fragment (top pages group by it)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else parts.path or url


def device(user_agent: str) -> dict[str, str | None]:
    """`device` (desktop, mobile, tablet or bot), `os` and `browser` parsed with ua-parser."""
    # imported at the first parse, not with the app: loading its rules costs a cold start about 100 ms
    from ua_parser import parse as parse_user_agent

    parsed = parse_user_agent(user_agent or "")
    family = parsed.device.family if parsed.device else None
    os_name = parsed.os.family if parsed.os else None
    lowered = (user_agent or "").lower()
    if family == BOT_DEVICE_FAMILY:
        kind = "bot"
    elif family in ("iPad", "Kindle") or "tablet" in lowered or (os_name == "Android" and "mobile" not in lowered):
        kind = "tablet"
    elif "mobi" in lowered or os_name in ("iOS", "Android", "Windows Phone") or family == "iPhone":
        kind = "mobile"
    else:
        kind = "desktop"
    browser = parsed.user_agent.family if parsed.user_agent else None
    return {"device": kind, "os": os_name, "browser": browser}


def is_bot(user_agent: str) -> bool:
    return device(user_agent)["device"] == "bot"


def ip_address(text: str | None) -> str | None:
    """`text` as an IP address in its canonical form, or None when it is anything else (a header may hold HTML)."""
    try:
        return str(ipaddress.ip_address((text or "").strip()))
    except ValueError:
        return None


def client_ip(headers: Mapping[str, str], context: Mapping[str, Any] | None) -> str | None:
    """The visitor's IP where local/api.py stands in for the edge (`make run`, tests): the first hop of
    X-Forwarded-For, else the socket's; None unless it parses. Deployed: http.visitor_ip."""
    first = headers.get("x-forwarded-for", "").split(",")[0].strip()
    if first:
        return ip_address(first)
    identity = (context or {}).get("identity") or {}
    source = identity.get("sourceIp") if isinstance(identity, Mapping) else None
    return ip_address(str(source)) if source else None


def stored_ip(ip: str | None, storage: IpStorage) -> str | None:
    """The part of the visitor's IP that a project keeping `storage` may store: all, its network, or nothing."""
    if ip is None or storage == "none":
        return None
    if storage == "full":
        return ip
    address = ipaddress.ip_address(ip)
    network = ipaddress.ip_network(f"{address}/{TRUNCATED_PREFIX[address.version]}", strict=False)
    return str(network.network_address)


def header_text(value: str) -> str:
    """A header's value as its sender meant it: the HTTP layer hands header bytes over decoded as Latin-1, and
    CloudFront writes names of places in UTF-8 ("Wrocław" would arrive as "WrocÅ\x82aw"); then cleaned."""
    try:
        meant = value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        meant = value  # decoded already, or not UTF-8: kept as it came
    return text.clean(meant)


def geo(headers: Mapping[str, str]) -> dict[str, str | None]:
    """Country, region and city from the CloudFront viewer headers (null where absent)."""
    return {
        name: header_text(headers.get(header, ""))[:MAX_VALUE] or None
        for name, header in (
            ("country", "cloudfront-viewer-country"),
            ("region", "cloudfront-viewer-country-region"),
            ("city", "cloudfront-viewer-city"),
        )
    }


def visit(url: str, referrer: str | None, user_agent: str) -> dict[str, Any]:
    """What a session's landing URL, referrer and user agent tell: tags, click ids, source, medium, device."""
    # decoded, the landing URL's parameters may hold anything (`%0D%0A`, `%E2%80%AE`): cleaned, then cut
    query = {
        name: text.clean(value)[:MAX_VALUE] for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=False)
    }
    tags = {field: query.get(f"utm_{field}") or None for field in UTM_FIELDS}
    click_ids = {name: query[name] for name in CLICK_IDS if query.get(name)}
    if tags["source"] or tags["medium"]:
        source, medium = tags["source"] or "(not set)", tags["medium"] or "(none)"
    elif click_ids.keys() & {"gclid", "gbraid", "wbraid", "dclid"}:
        source, medium = "google", "cpc"  # auto-tagged Google Ads, as analytics reports it
    elif "msclkid" in click_ids:
        source, medium = "bing", "cpc"
    else:
        source, medium = source_medium(referrer, _host(url))
    return {
        **tags,
        "source": source,
        "medium": medium,
        "referrer": referrer or None,
        "landing_page": url,
        **click_ids,
        "user_agent": user_agent[:MAX_USER_AGENT] or None,
        **device(user_agent),
    }


@dataclass(frozen=True)
class Viewer:
    """What the request itself says about the visitor."""

    user_agent: str
    ip: str | None
    geo: dict[str, str | None]

    @classmethod
    def of(cls, headers: Mapping[str, str], ip: str | None) -> Viewer:
        """`ip` from http.visitor_ip: which header tells it depends on where the app runs."""
        return cls(headers.get("user-agent", ""), ip, geo(headers))
