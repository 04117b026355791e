"""Routes of the project's settings."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import auth, clock, http, openapi, phones, schemas, settings
from chalicelib.auth import Permission
from chalicelib.routes import ANY_BODY

bp = Blueprint(__name__)


@bp.route("/v1/settings", methods=["GET"])
@openapi.describe(may=Permission.READ_SETTINGS, returns="Settings")
def read_settings() -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.READ_SETTINGS)
    found = settings.read(caller.project_id)
    return (found if caller.may(Permission.WRITE_SETTINGS) else settings.without_secrets(found)).model_dump(mode="json")


@bp.route("/v1/settings", methods=["PATCH"], content_types=ANY_BODY)
@openapi.describe(may=Permission.WRITE_SETTINGS, body="SettingsPatch", returns="Settings")
def change_settings() -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.WRITE_SETTINGS)
    patch = http.body(bp.current_request, schemas.SettingsPatch)
    return settings.change(caller.project_id, patch).model_dump(mode="json")


@bp.route("/v1/settings/timezones", methods=["GET"])
@openapi.describe(may=Permission.READ_SETTINGS, returns="Timezones")
def timezones() -> dict[str, Any]:
    """The time zones a project may choose (the settings screen's picker)."""
    auth.require(bp.current_request, Permission.READ_SETTINGS)
    return schemas.Timezones(items=sorted(clock.timezones())).model_dump(mode="json")


@bp.route("/v1/settings/countries", methods=["GET"])
@openapi.describe(may=Permission.READ_SETTINGS, returns="Countries")
def countries() -> dict[str, Any]:
    """The countries a project may choose for national phone numbers (the settings screen's picker)."""
    auth.require(bp.current_request, Permission.READ_SETTINGS)
    return schemas.Countries(items=sorted(phones.regions())).model_dump(mode="json")
