"""Routes of webhooks (admin): endpoints, secret rotation, a test ping, the delivery log and its retry."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import auth, http, openapi, schemas, settings
from chalicelib.auth import Permission
from chalicelib.routes import ANY_BODY
from chalicelib.webhooks import delivery, endpoints

bp = Blueprint(__name__)
MAY = Permission.MANAGE_WEBHOOKS


def _out(webhook: Any) -> schemas.WebhookOut:
    return schemas.WebhookOut.model_validate(webhook, from_attributes=True)


def _accepted() -> Response:
    return Response(body=schemas.Accepted().model_dump(mode="json"), status_code=202)


@bp.route("/v1/webhooks", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(
    may=MAY,
    body="WebhookIn",
    returns="WebhookCreated",
    status=201,
    also={409: "the project has 20 webhooks already"},
)
def create_webhook() -> Response:
    caller = auth.require(bp.current_request, MAY)
    payload = http.body(bp.current_request, schemas.WebhookIn)
    webhook, secret = endpoints.create(caller.project_id, payload)
    created = schemas.WebhookCreated(**_out(webhook).model_dump(), secret=secret)
    return Response(body=created.model_dump(mode="json"), status_code=201)


@bp.route("/v1/webhooks", methods=["GET"])
@openapi.describe(may=MAY, query="PageQuery", returns="WebhookList")
def list_webhooks() -> dict[str, Any]:
    caller = auth.require(bp.current_request, MAY)
    query = http.query(bp.current_request, schemas.PageQuery)
    page = endpoints.page(caller.project_id, query.cursor)
    return schemas.WebhookList(items=[_out(w) for w in page.items], next_cursor=page.next_cursor).model_dump(
        mode="json"
    )


@bp.route("/v1/webhooks/{webhook_id}", methods=["GET"])
@openapi.describe(may=MAY, returns="WebhookOut")
def read_webhook(webhook_id: str) -> dict[str, Any]:
    caller = auth.require(bp.current_request, MAY)
    return _out(endpoints.get(caller.project_id, http.path_value("webhook_id", webhook_id))).model_dump(mode="json")


@bp.route("/v1/webhooks/{webhook_id}", methods=["PATCH"], content_types=ANY_BODY)
@openapi.describe(may=MAY, body="WebhookPatch", returns="WebhookOut")
def change_webhook(webhook_id: str) -> dict[str, Any]:
    caller = auth.require(bp.current_request, MAY)
    patch = http.body(bp.current_request, schemas.WebhookPatch)
    webhook = endpoints.change(caller.project_id, http.path_value("webhook_id", webhook_id), patch)
    return _out(webhook).model_dump(mode="json")


@bp.route("/v1/webhooks/{webhook_id}", methods=["DELETE"])
@openapi.describe(may=MAY, status=204)
def delete_webhook(webhook_id: str) -> Response:
    caller = auth.require(bp.current_request, MAY)
    endpoints.delete(caller.project_id, http.path_value("webhook_id", webhook_id))
    return Response(body="", status_code=204)


@bp.route("/v1/webhooks/{webhook_id}/rotate-secret", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(may=MAY, returns="WebhookSecretOut", also={409: "rotated by another request meanwhile"})
def rotate_webhook_secret(webhook_id: str) -> dict[str, Any]:
    caller = auth.require(bp.current_request, MAY)
    secret = endpoints.rotate_secret(caller.project_id, http.path_value("webhook_id", webhook_id))
    return schemas.WebhookSecretOut(secret=secret).model_dump(mode="json")


@bp.route("/v1/webhooks/{webhook_id}/test", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(may=MAY, returns="Accepted", status=202, also={409: "the webhook is disabled: enable it first"})
def test_webhook(webhook_id: str) -> Response:
    caller = auth.require(bp.current_request, MAY)
    delivery.ping(settings.load_project(caller.project_id), http.path_value("webhook_id", webhook_id))
    return _accepted()


@bp.route("/v1/webhooks/{webhook_id}/deliveries", methods=["GET"])
@openapi.describe(may=MAY, query="PageQuery", returns="DeliveryList")
def list_deliveries(webhook_id: str) -> dict[str, Any]:
    caller = auth.require(bp.current_request, MAY)
    query = http.query(bp.current_request, schemas.PageQuery)
    page = delivery.deliveries(caller.project_id, http.path_value("webhook_id", webhook_id), query.cursor)
    items = [schemas.DeliveryOut.model_validate(item, from_attributes=True) for item in page.items]
    return schemas.DeliveryList(items=items, next_cursor=page.next_cursor).model_dump(mode="json")


@bp.route("/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(may=MAY, returns="Accepted", status=202, also={409: "the webhook is disabled: enable it first"})
def retry_delivery(webhook_id: str, delivery_id: str) -> Response:
    caller = auth.require(bp.current_request, MAY)
    delivery.retry(
        caller.project_id, http.path_value("webhook_id", webhook_id), http.path_value("delivery_id", delivery_id)
    )
    return _accepted()
