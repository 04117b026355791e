"""A project's settings: defaults, changes, validation and who may read or change them."""

from __future__ import annotations

from tests.integration.helpers import Api, post


def test_settings_have_defaults_apply_at_once_are_validated_and_only_admins_change_them(api: Api) -> None:
    current = api.get("/v1/settings", role="agent").json_body
    assert current["recording_enabled"] is True and current["target_call_seconds"] == 30
    assert current["sale_cycle_days"] == 30 and current["timezone"] == "UTC"
    changed = api.patch("/v1/settings", {"recording_enabled": False, "timezone": "Europe/Warsaw"}).json_body
    assert changed["recording_enabled"] is False and changed["timezone"] == "Europe/Warsaw"
    assert post(api)["record"] is False
    bad = api.patch("/v1/settings", {"timezone": "Mars/Base", "default_country": "XX", "sale_cycle_days": 0})
    assert set(bad.json_body["error"]["details"]["fields"]) == {
        "timezone",
        "default_country",
        "sale_cycle_days",
    }
    assert api.patch("/v1/settings", {"timezone": "UTC"}, role="supervisor").status_code == 403
    assert api.get("/v1/settings", role="integration").status_code == 403


def test_the_time_zones_to_choose_from_are_the_ones_settings_accept(api: Api) -> None:
    zones = api.get("/v1/settings/timezones", role="agent").json_body["items"]
    assert zones == sorted(zones)
    assert {"UTC", "Europe/Warsaw", "Europe/Kyiv", "America/Argentina/Buenos_Aires"} <= set(zones)
    assert not [zone for zone in zones if zone.startswith(("posix/", "right/")) or zone == "localtime"]
    assert api.patch("/v1/settings", {"timezone": zones[-1]}).status_code == 200
    assert api.get("/v1/settings/timezones", role="integration").status_code == 403


def test_the_countries_to_choose_from_are_the_ones_settings_accept(api: Api) -> None:
    countries = api.get("/v1/settings/countries", role="agent").json_body["items"]
    assert countries == sorted(countries) and len(countries) > 200
    assert {"UA", "PL", "US", "GB"} <= set(countries) and all(code.isupper() for code in countries)
    assert api.patch("/v1/settings", {"default_country": countries[0]}).json_body["default_country"] == countries[0]
    for refused in ("pl", "XX", "POL"):
        answer = api.patch("/v1/settings", {"default_country": refused})
        assert set(answer.json_body["error"]["details"]["fields"]) == {"default_country"}, refused
    assert api.get("/v1/settings/countries", role="integration").status_code == 403
