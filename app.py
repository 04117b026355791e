"""callcard's HTTP API: the routes live in chalicelib/routes (one blueprint per domain)."""

# ruff: noqa: E402 - the collector is paused before the imports

from __future__ import annotations

import gc

# A cold start's imports make a great many objects and no garbage: the collector's passes over them while they are
# made are wasted (about a sixth of `import app`); after them, freezing keeps later passes from walking them again.
gc.disable()

from collections.abc import Callable

from chalice.app import Chalice, CloudWatchEvent, Rate, Request, Response, SQSEvent

from chalicelib import aws, clock, erasure, http, linking, observability
from chalicelib.errors import ApiError
from chalicelib.recordings.objects import EVENTS_QUEUE
from chalicelib.routes import (
    calls,
    clients,
    conversions,
    export,
    keys,
    me,
    numbers,
    openapi,
    people,
    recordings,
    reports,
    settings,
    tracking,
    views,
    web,
    webhooks as webhook_routes,
)
from chalicelib.webhooks import delivery as webhook_delivery, events as webhook_events

gc.freeze()
gc.enable()

observability.configure()  # JSON log lines, Chalice's own too
app = Chalice(app_name="callcard", configure_logs=False)
app.register_blueprint(calls.bp)
app.register_blueprint(clients.bp)
app.register_blueprint(settings.bp)
app.register_blueprint(export.bp)
app.register_blueprint(conversions.bp)
app.register_blueprint(me.bp)
app.register_blueprint(people.bp)
app.register_blueprint(web.bp)
app.register_blueprint(recordings.bp)
app.register_blueprint(reports.bp)
app.register_blueprint(numbers.bp)
app.register_blueprint(keys.bp)
app.register_blueprint(tracking.bp)
app.register_blueprint(openapi.bp)
app.register_blueprint(webhook_routes.bp)
app.register_blueprint(views.bp)
# Chalice answers whatever a view raises with its own 500: each view answers the domain's errors itself instead
for methods in app.routes.values():
    for route in methods.values():
        route.view_function = http.answering_errors(route.view_function)


@app.middleware("http")
def observed(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """One JSON log line per request, 4xx/5xx counted by route (outermost: it sees the final status)."""
    with observability.request_scope(request) as scope:
        response = get_response(request)
        scope["status"] = response.status_code
    return response


@app.middleware("http")
def contract_errors(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Every error leaves in the contract's format, whoever raised it (a view, a middleware, Chalice itself); every
    JSON body as UTF-8 (http.json_text). The request's AWS calls stop at its deadline (aws.py), so that it answers
    before API Gateway's 29 s."""
    try:
        with aws.api_request():
            response = http.translate_chalice_error(get_response(request))
    except ApiError as error:
        response = http.error_answer(error)
    return http.json_text(response)


@app.middleware("http")
def trusted_edge(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Deployed, only the template's CloudFront reaches the routes (inside contract_errors: a refusal is a 403 in
    the contract's format)."""
    http.check_origin(request.headers)
    return get_response(request)


# The queues' names here are the local stack's: the template binds each handler to its stage's queue
# (infra/resources.json overrides the event sources Chalice generates from these names).
@app.on_sqs_message(queue=EVENTS_QUEUE, batch_size=1)
def process_recording_event(event: SQSEvent) -> None:
    """S3 notifications of uploaded recordings (locally local/worker.py hands them to this same handler)."""
    # imported here: the checker (mutagen) loads in the function that checks, never for an API request
    from chalicelib.recordings import events

    with aws.background():
        for record in event:
            with observability.message_scope(EVENTS_QUEUE, record):
                events.handle(record.body)


@app.schedule(Rate(15, unit=Rate.MINUTES))
def sweep_recordings(event: CloudWatchEvent) -> None:
    """Recordings whose check never finished (the message went to the dead-letter queue): checked again, or
    rejected with a reason, so that nothing stays `processing` for good."""
    from chalicelib.recordings import sweeper

    with aws.background(), observability.schedule_scope("sweep_recordings", event) as scope:
        scope["settled"] = sweeper.sweep()


@app.on_sqs_message(queue=linking.LINK_QUEUE, batch_size=1)
def link_older_sessions(event: SQSEvent) -> None:
    """A linked visitor's sessions beyond the newest ones join the client's history (idempotent)."""
    with aws.background():
        for record in event:
            with observability.message_scope(linking.LINK_QUEUE, record):
                linking.link_older(record.body)


@app.on_sqs_message(queue=erasure.ERASE_QUEUE, batch_size=1)
def continue_erasure(event: SQSEvent) -> None:
    """The next step of a client's erasure (each unfinished step queues the next; a repeat changes nothing)."""
    with aws.background():
        for record in event:
            with observability.message_scope(erasure.ERASE_QUEUE, record):
                erasure.continue_erasure(record.body)


@app.schedule(Rate(5, unit=Rate.MINUTES))
def deliver_link_jobs(event: CloudWatchEvent) -> None:
    """Linkings of older sessions that a request could not queue (their outbox items) are delivered here."""
    with aws.background(), observability.schedule_scope("deliver_link_jobs", event) as scope:
        scope["settled"] = linking.sweep(clock.now())


@app.schedule(Rate(5, unit=Rate.MINUTES))
def resume_erasures(event: CloudWatchEvent) -> None:
    """Erasures whose next step was lost or failed go on from here."""
    with aws.background(), observability.schedule_scope("resume_erasures", event) as scope:
        scope["resumed"] = erasure.sweep(clock.now())


@app.on_sqs_message(queue=webhook_delivery.DELIVERY_QUEUE, batch_size=1)
def deliver_webhook(event: SQSEvent) -> None:
    """An event fanned out into its deliveries, or one attempt of a delivery (claimed, sent, recorded); a repeated
    message changes nothing."""
    with aws.background():
        for record in event:
            with observability.message_scope(webhook_delivery.DELIVERY_QUEUE, record):
                webhook_events.handle(record.body)


@app.schedule(Rate(5, unit=Rate.MINUTES))
def sweep_webhooks(event: CloudWatchEvent) -> None:
    """Events that a request left unfanned (their outbox items), and deliveries due whose message is not on the
    queue (waits past SQS's 15-minute delay, lost messages, attempts that died after their claim)."""
    with aws.background(), observability.schedule_scope("sweep_webhooks", event) as scope:
        now = clock.now()
        scope["fanned_out"] = webhook_events.sweep(now)
        scope["queued"] = webhook_delivery.sweep(now)
