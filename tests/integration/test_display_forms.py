"""Phone numbers in answers come with a display form for people (`<field>_display`), next to the E.164 field."""

from __future__ import annotations

from tests.integration.helpers import Api, add_numbers, card, post


def test_the_call_log_and_the_card_show_numbers_as_people_write_them(api: Api) -> None:
    call_id = post(api, caller="+380504567890", destination="101")["call_id"]
    item = api.get("/v1/calls").json_body["items"][0]
    assert (item["caller"], item["caller_display"]) == ("+380504567890", "+380 50 456 7890")
    assert (item["destination"], item["destination_display"]) == ("101", "101")  # an extension stays as it is
    shown = card(api, call_id)
    assert (shown["call"]["caller_display"], shown["call"]["destination_display"]) == ("+380 50 456 7890", "101")
    assert (shown["client"]["phone"], shown["client"]["phone_display"]) == ("+380504567890", "+380 50 456 7890")


def test_a_withheld_number_has_no_display_form(api: Api) -> None:
    post(api, caller="anonymous")
    item = api.get("/v1/calls").json_body["items"][0]
    assert (item["caller"], item["caller_display"]) == (None, None)


def test_the_client_card_and_its_calls_carry_display_forms(api: Api) -> None:
    post(api, caller="+48601234567")
    client = api.get("/v1/clients/+48601234567").json_body
    assert client["phone_display"] == "+48 601 234 567"
    assert client["calls"][0]["caller_display"] == "+48 601 234 567"
    assert api.get("/v1/clients/+48601234567/calls").json_body["items"][0]["caller_display"] == "+48 601 234 567"


def test_the_numbers_list_shows_each_number_grouped(api: Api) -> None:
    numbers = add_numbers(api, 1)
    shown = {item["number"]: item["number_display"] for item in api.get("/v1/numbers").json_body["items"]}
    # fresh numbers are Kyiv landlines: +380 44 2xx xxxx
    assert shown == {
        number: f"{number[:4]} {number[4:6]} {number[6:9]} {number[9:]}" for number in [numbers.default, *numbers.pool]
    }


def test_an_agent_that_is_a_phone_number_is_shown_as_one_and_an_extension_as_given(api: Api) -> None:
    mobile = post(api, agent="+380671112233")["call_id"]
    extension = post(api, agent="101")["call_id"]
    items = {item["call_id"]: item for item in api.get("/v1/calls").json_body["items"]}
    assert items[mobile]["agent_display"] == "+380 67 111 2233"
    assert (items[extension]["agent"], items[extension]["agent_display"]) == ("101", "101")
    assert card(api, mobile)["call"]["agent_display"] == "+380 67 111 2233"
