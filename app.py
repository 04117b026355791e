"""callcard's HTTP API: the routes live in chalicelib/routes (one blueprint per domain)."""

# ruff: noqa: E402 - the collector is paused before the imports

from __future__ import annotations

import gc

# A cold start's imports make a great many objects and no garbage: the collector's passes over them while they are
# made are wasted (about a sixth of `import app`); after them, freezing keeps later passes from walking them again.
gc.disable()

from collections.abc import Callable

from chalice.app import Chalice, Request, Response, SQSEvent

from chalicelib import aws, http, linking
from chalicelib.errors import ApiError, translate_chalice_error
from chalicelib.recordings import EVENTS_QUEUE, handle_notification
from chalicelib.routes import calls, clients, export, keys, me, numbers, openapi, recordings, settings, tracking, web

gc.freeze()
gc.enable()

app = Chalice(app_name="callcard")
app.register_blueprint(calls.bp)
app.register_blueprint(clients.bp)
app.register_blueprint(settings.bp)
app.register_blueprint(export.bp)
app.register_blueprint(me.bp)
app.register_blueprint(web.bp)
app.register_blueprint(recordings.bp)
app.register_blueprint(numbers.bp)
app.register_blueprint(keys.bp)
app.register_blueprint(tracking.bp)
app.register_blueprint(openapi.bp)


@app.middleware("http")
def contract_errors(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Every error leaves in the contract's format, whoever raised it; every JSON body as UTF-8 (http.json_text).
    The request's AWS calls stop at its deadline (aws.py), so that it answers before API Gateway's 29 s."""
    try:
        with aws.api_request():
            response = translate_chalice_error(get_response(request))
    except ApiError as error:
        response = error.as_response()
    return http.json_text(response)


@app.on_sqs_message(queue=EVENTS_QUEUE, batch_size=1)
def process_recording_event(event: SQSEvent) -> None:
    """S3 notifications of uploaded recordings (locally local/worker.py hands them to this same handler)."""
    with aws.background():
        for record in event:
            handle_notification(record.body)


@app.on_sqs_message(queue=linking.LINK_QUEUE, batch_size=1)
def link_older_sessions(event: SQSEvent) -> None:
    """A linked visitor's sessions beyond the newest ones join the client's history (idempotent)."""
    with aws.background():
        for record in event:
            linking.link_older(record.body)
