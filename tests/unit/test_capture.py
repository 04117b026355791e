"""Visit capture without I/O: source and medium, campaign tags, click ids, devices, IP and geolocation."""

from __future__ import annotations

import pytest

from chalicelib.tracking import capture

UA_IPAD = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari"
UA_ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Mobile Safari"
UA_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36"
UA_BOT = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        ("https://www.google.com/", ("google", "organic")),
        ("https://www.google.com.ua/search?q=sofa", ("google", "organic")),
        ("https://www.bing.com/search?q=sofa", ("bing", "organic")),
        ("https://duckduckgo.com/", ("duckduckgo", "organic")),
        ("https://m.facebook.com/", ("facebook", "social")),
        ("https://l.instagram.com/", ("instagram", "social")),
        ("https://t.co/abc", ("twitter", "social")),
        ("https://blog.example.org/post", ("blog.example.org", "referral")),
        ("https://shop.example/other", ("(direct)", "(none)")),
        (None, ("(direct)", "(none)")),
        ("", ("(direct)", "(none)")),
    ],
)
def test_untagged_traffic_gets_source_and_medium_from_its_referrer(
    referrer: str | None, expected: tuple[str, str]
) -> None:
    assert capture.source_medium(referrer, "shop.example") == expected


def test_campaign_tags_and_click_ids_win_over_the_referrer() -> None:
    visit = capture.visit(
        "https://shop.example/?utm_source=news&utm_medium=email&utm_campaign=spring&utm_term=sofa&fbclid=F1",
        "https://www.google.com/",
        UA_WINDOWS,
    )
    assert (visit["source"], visit["medium"], visit["campaign"], visit["term"]) == ("news", "email", "spring", "sofa")
    assert visit["fbclid"] == "F1" and "gclid" not in visit


def test_an_auto_tagged_ad_click_is_paid_search() -> None:
    visit = capture.visit("https://shop.example/?gclid=G1", "https://www.google.com/", UA_WINDOWS)
    assert (visit["source"], visit["medium"], visit["gclid"]) == ("google", "cpc", "G1")


@pytest.mark.parametrize(
    ("user_agent", "kind", "os_name"),
    [
        (UA_IPAD, "tablet", "iOS"),
        (UA_ANDROID, "mobile", "Android"),
        (UA_WINDOWS, "desktop", "Windows"),
        (UA_BOT, "bot", None),
    ],
)
def test_a_user_agent_gives_the_device_type_and_os_and_bots_are_recognised(
    user_agent: str, kind: str, os_name: str | None
) -> None:
    parsed = capture.device(user_agent)
    assert (parsed["device"], parsed["os"]) == (kind, os_name)
    assert capture.is_bot(user_agent) == (kind == "bot")


def test_ip_is_the_first_forwarded_hop_else_the_source_ip() -> None:
    context = {"identity": {"sourceIp": "203.0.113.1"}}
    assert capture.client_ip({"x-forwarded-for": "198.51.100.7, 10.0.0.1"}, context) == "198.51.100.7"
    assert capture.client_ip({}, context) == "203.0.113.1"
    assert capture.client_ip({}, None) is None


@pytest.mark.parametrize(
    ("forwarded", "stored"),
    [
        ("<b>198.51.100.7</b>", None),
        ("198.51.100.7:443", None),
        ("unknown, 10.0.0.1", None),
        ("2001:DB8::1", "2001:db8::1"),
        (" 198.51.100.7 ", "198.51.100.7"),
    ],
)
def test_an_ip_is_kept_only_if_it_parses_as_one(forwarded: str, stored: str | None) -> None:
    assert capture.client_ip({"x-forwarded-for": forwarded}, {"identity": {"sourceIp": "203.0.113.1"}}) == stored


def test_a_source_ip_that_does_not_parse_is_not_kept() -> None:
    assert capture.client_ip({}, {"identity": {"sourceIp": "test-invoke-source-ip"}}) is None


def test_geo_comes_from_cloudfront_headers_or_is_null() -> None:
    headers = {"cloudfront-viewer-country": "UA", "cloudfront-viewer-city": "Lviv"}
    assert capture.geo(headers) == {"country": "UA", "region": None, "city": "Lviv"}


@pytest.mark.parametrize(
    ("as_handed_over", "kept"),
    [
        ("Kraków".encode().decode("latin-1"), "Kraków"),  # UTF-8 read as Latin-1
        ("Z\u00fcrich", "Z\u00fcrich"),  # decoded already (not UTF-8 once encoded as Latin-1)
        ("\u0141\u00f3d\u017a", "\u0141\u00f3d\u017a"),  # decoded already (not Latin-1 at all)
        ("\u0085Lviv\u202e".encode().decode("latin-1"), "Lviv"),  # a C1 control, a right-to-left override
    ],
)
def test_location_headers_are_read_as_utf_8_and_cleaned(as_handed_over: str, kept: str) -> None:
    assert capture.geo({"cloudfront-viewer-city": as_handed_over})["city"] == kept


def test_tags_click_ids_user_agent_and_location_are_kept_to_their_bounds() -> None:
    long = "x" * 5000
    visit = capture.visit(f"https://shop.example/?utm_campaign={long}&gclid={long}", None, "Mozilla/5.0 " + long)
    assert (len(visit["campaign"]), len(visit["gclid"])) == (capture.MAX_VALUE, capture.MAX_VALUE)
    assert len(visit["user_agent"]) == capture.MAX_USER_AGENT
    geo = capture.geo({"cloudfront-viewer-city": long, "cloudfront-viewer-country": "PL"})
    assert geo == {"country": "PL", "region": None, "city": "x" * capture.MAX_VALUE}


@pytest.mark.parametrize(
    ("ip", "storage", "stored"),
    [
        ("198.51.100.7", "full", "198.51.100.7"),
        ("198.51.100.7", "truncated", "198.51.100.0"),
        ("198.51.100.7", "none", None),
        ("2001:db8:85a3:8d3:1319:8a2e:370:7348", "full", "2001:db8:85a3:8d3:1319:8a2e:370:7348"),
        ("2001:db8:85a3:8d3:1319:8a2e:370:7348", "truncated", "2001:db8:85a3::"),
        ("2001:db8:85a3:ffff::1", "truncated", "2001:db8:85a3::"),
        ("2001:db8::1", "none", None),
        ("10.0.0.255", "truncated", "10.0.0.0"),
        (None, "full", None),
        (None, "truncated", None),
    ],
)
def test_the_stored_ip_keeps_what_the_projects_ip_storage_allows(
    ip: str | None, storage: capture.IpStorage, stored: str | None
) -> None:
    assert capture.stored_ip(ip, storage) == stored
