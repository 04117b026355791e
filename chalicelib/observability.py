"""Logs, metrics and traces, through Powertools for AWS Lambda (its managed layer on AWS; requirements-dev.in here).

- Logs: one JSON line per request (`request`) and per queue message (`message`), with the Lambda request id, the
  route template (never the path: it may hold a phone number), status and duration, and the ids the code tagged on
  the way (`tag`). Every other log line of the app, Chalice's own included, is JSON with the same ids; a phone number
  in a message is masked, headers, query strings and bodies are never logged.
- Metrics: `count` writes one CloudWatch embedded-metric-format line (namespace POWERTOOLS_METRICS_NAMESPACE).
- Traces: X-Ray, patching boto3 and botocore (pynamodb's client too) only inside Lambda: not outside it, under
  `chalice local` or SAM local, nor with POWERTOOLS_TRACE_DISABLED=true (Powertools' own rule, decided before the
  tracer is made: making one imports the X-Ray SDK, half a second here, for nothing where nothing is traced).
"""

from __future__ import annotations

import functools
import logging
import os
import re
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

from aws_lambda_powertools import Logger, Tracer, single_metric
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "callcard")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "callcard")
APP_LOGGERS = ("callcard", "chalicelib")  # Chalice's app.log is named after the app; the domain's module loggers

# an E.164 number anywhere in a log message: the country code and the last two digits stay, for support
_PHONE = re.compile(r"\+(\d{2})\d{4,11}(\d{2})")


def _traced() -> bool:
    disabled = os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").lower() in ("1", "true", "yes", "on")
    local = {"AWS_SAM_LOCAL", "AWS_CHALICE_CLI_MODE"} & os.environ.keys()
    return "LAMBDA_TASK_ROOT" in os.environ and not local and not disabled


tracer = Tracer(service=SERVICE, patch_modules=("boto3", "botocore")) if _traced() else None

# the ids known about the current request or message; every log line of it carries them
_tags: ContextVar[dict[str, Any] | None] = ContextVar("callcard_log_tags", default=None)


def mask_phones(text: str) -> str:
    return _PHONE.sub(lambda match: f"+{match[1]}…{match[2]}", text)


def _exception_fields(error: BaseException) -> dict[str, str]:
    """An error's name and stack, as Powertools names them, with phone numbers masked (a message may quote one)."""
    return {
        "exception_name": type(error).__name__,
        "exception": mask_phones("".join(traceback.format_exception(error))),
    }


class _ContextFilter(logging.Filter):
    """Adds the current request's ids to each record and masks phone numbers in its message and stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "callcard" and record.msg == "Caught exception for path %s":
            record.msg, record.args = "unhandled exception", ()  # Chalice logs the raw path, our ids say where
        record.msg, record.args = mask_phones(record.getMessage()), ()
        if record.exc_info and record.exc_info[1] is not None:
            for name, value in _exception_fields(record.exc_info[1]).items():
                setattr(record, name, value)
            record.exc_info, record.exc_text = None, None
        for name, value in (_tags.get() or {}).items():
            setattr(record, name, value)
        return True


context_filter = _ContextFilter()  # on every handler of the app's log lines (tests add one that captures them)


@functools.cache
def configure() -> Logger:
    """JSON logs for the app's functions (app.py calls this on import). Only there: the operator CLI, which shares
    the `callcard` logger's name space, keeps its plain lines on stderr."""
    logger = Logger(service=SERVICE)  # level: POWERTOOLS_LOG_LEVEL or LOG_LEVEL, else INFO
    handler = logger.registered_handler
    handler.addFilter(context_filter)
    for name in APP_LOGGERS:
        app_logger = logging.getLogger(name)
        if handler not in app_logger.handlers:
            app_logger.addHandler(handler)
        app_logger.setLevel(logger.log_level)
        app_logger.propagate = False  # Lambda's root handler would write each line again, as plain text
    return logger


def tag(**ids: str | None) -> None:
    """Ids (project, call, session, ...) of the current request or message, for its log lines; never a phone."""
    current = _tags.get()
    if current is not None:
        current.update({name: value for name, value in ids.items() if value})


def count(name: str, value: float = 1, unit: MetricUnit = MetricUnit.Count, **dimensions: str) -> None:
    """One metric as one EMF line on stdout (CloudWatch makes it a metric: no API call, no latency). Counted only
    within a request, a queue message or a scheduled run: the CLI's stdout is its answer, not a log. Powertools'
    POWERTOOLS_METRICS_DISABLED holds here too (single_metric does not read it; `make bench` sets it)."""
    if _tags.get() is None or os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() == "true":
        return
    with single_metric(
        name=name, unit=unit, value=value, namespace=NAMESPACE, default_dimensions={"service": SERVICE, **dimensions}
    ):
        pass


def _request_id(context: Any) -> str | None:
    return getattr(context, "aws_request_id", None)


@contextmanager
def _scope(message: str, fields: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Tags for everything logged inside; one summary line at the end, with the duration and the error's stack."""
    tags = {name: value for name, value in fields.items() if value}
    token = _tags.set(tags)
    started = time.perf_counter()
    try:
        yield tags
    except Exception as error:
        tags.update(_exception_fields(error))
        raise
    finally:
        tags["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
        failed = "exception" in tags or (isinstance(tags.get("status"), int) and tags["status"] >= 500)
        logger = configure()
        (logger.error if failed else logger.info)(message)
        _tags.reset(token)


class Request(Protocol):
    """What a request's scope reads of the edge's request (Chalice's has it all)."""

    @property
    def method(self) -> str: ...

    @property
    def context(self) -> dict[str, Any]: ...

    @property
    def uri_params(self) -> dict[str, str] | None: ...

    @property
    def lambda_context(self) -> Any: ...


def route_of(request: Request) -> str:
    """`METHOD /path/{template}`: the route as registered, never the path with its values."""
    return route_name(request.method, request.context.get("resourcePath"))


def route_name(method: str | None, template: str | None) -> str:
    """How a log line names a route (`?` for what is not known, such as a path that no route takes)."""
    return f"{method or '?'} {template or '?'}"


@contextmanager
def request_scope(request: Request) -> Iterator[dict[str, Any]]:
    """One request: the caller sets `status` on the yielded tags; 4xx and 5xx are counted by route."""
    route = route_of(request)
    params = request.uri_params or {}
    if tracer is not None:
        tracer.put_annotation("route", route)
    with _scope(
        "request",
        {
            "request_id": _request_id(request.lambda_context),
            "api_request_id": request.context.get("requestId"),
            "route": route,
            "call_id": params.get("call_id"),
            "session_id": params.get("session_id"),
        },
    ) as tags:
        try:
            yield tags
        finally:
            status = int(tags.get("status", 500))
            if status >= 500:
                count("ApiServerErrors", route=route)
            elif status >= 400:
                count("ApiClientErrors", route=route)


@contextmanager
def message_scope(queue: str, record: Any) -> Iterator[dict[str, Any]]:
    """One queue message (an SQS record of Chalice's): logged with its id, never its body."""
    event = record.to_dict()
    with _scope(
        "message",
        {
            "request_id": _request_id(record.context),
            "queue": queue,
            "message_id": event.get("messageId"),
            "receive_count": event.get("attributes", {}).get("ApproximateReceiveCount"),
        },
    ) as tags:
        yield tags
        tags["status"] = "done"


@contextmanager
def schedule_scope(name: str, event: Any) -> Iterator[dict[str, Any]]:
    """One run of a scheduled function."""
    with _scope("schedule", {"request_id": _request_id(event.context), "schedule": name}) as tags:
        yield tags
        tags["status"] = "done"
