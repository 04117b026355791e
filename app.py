"""callcard's HTTP API: the routes live in chalicelib/routes (one blueprint per domain)."""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Chalice, CloudWatchEvent, Rate, Request, Response, SQSEvent

from chalicelib import clock, erasure, http, linking, observability
from chalicelib.errors import ApiError, translate_chalice_error
from chalicelib.recordings import EVENTS_QUEUE, handle_notification
from chalicelib.routes import calls, clients, export, keys, me, numbers, openapi, recordings, settings, tracking, web

observability.configure()  # JSON log lines, Chalice's own too
app = Chalice(app_name="callcard", configure_logs=False)
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
def observed(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """One JSON log line per request, 4xx/5xx counted by route (outermost: it sees the final status)."""
    with observability.request_scope(request) as scope:
        response = get_response(request)
        scope["status"] = response.status_code
    return response


@app.middleware("http")
def contract_errors(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Every error leaves in the contract's format, whoever raised it; every JSON body as UTF-8 (http.json_text)."""
    try:
        response = translate_chalice_error(get_response(request))
    except ApiError as error:
        response = error.as_response()
    return http.json_text(response)


@app.on_sqs_message(queue=EVENTS_QUEUE, batch_size=1)
def process_recording_event(event: SQSEvent) -> None:
    """S3 notifications of uploaded recordings (locally local/worker.py hands them to this same handler)."""
    for record in event:
        with observability.message_scope(EVENTS_QUEUE, record):
            handle_notification(record.body)


@app.on_sqs_message(queue=linking.LINK_QUEUE, batch_size=1)
def link_older_sessions(event: SQSEvent) -> None:
    """A linked visitor's sessions beyond the newest ones join the client's history (idempotent)."""
    for record in event:
        with observability.message_scope(linking.LINK_QUEUE, record):
            linking.link_older(record.body)


@app.on_sqs_message(queue=erasure.ERASE_QUEUE, batch_size=1)
def continue_erasure(event: SQSEvent) -> None:
    """The next step of a client's erasure (each unfinished step queues the next; a repeat changes nothing)."""
    for record in event:
        with observability.message_scope(erasure.ERASE_QUEUE, record):
            erasure.continue_erasure(record.body)


@app.schedule(Rate(5, unit=Rate.MINUTES))
def deliver_link_jobs(event: CloudWatchEvent) -> None:
    """Linkings of older sessions that a request could not queue (their outbox items) are delivered here."""
    with observability.schedule_scope("deliver_link_jobs", event) as scope:
        scope["settled"] = linking.sweep(clock.now())


@app.schedule(Rate(5, unit=Rate.MINUTES))
def resume_erasures(event: CloudWatchEvent) -> None:
    """Erasures whose next step was lost or failed go on from here."""
    with observability.schedule_scope("resume_erasures", event) as scope:
        scope["resumed"] = erasure.sweep(clock.now())
