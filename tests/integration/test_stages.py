"""Stages side by side (issue 10): deployed, a function finds its stage's queue by the name the template gives it
(CALLCARD_LINK_QUEUE, CALLCARD_ERASE_QUEUE), read when the queue is used; locally the local stack's queue. The names
themselves are checked in the packaged templates (test_packaging.py)."""

from __future__ import annotations

import json
import uuid

import pytest

from chalicelib import aws, erasure, linking
from tests.integration.helpers import Api, Numbers, call_to, later, post, start


def test_older_history_goes_to_the_queue_that_the_environment_names_when_it_is_queued(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    stage_queue = f"callcard-{uuid.uuid4().hex[:8]}-link-visitors"
    url = aws.sqs().create_queue(QueueName=stage_queue)["QueueUrl"]
    monkeypatch.setattr(linking, "LINK_NOW", 1)  # the newest session at once, the older one through the queue
    monkeypatch.setenv("CALLCARD_LINK_QUEUE", stage_queue)
    visitor = start(api).json_body["visitor_id"]
    later(monkeypatch, 31)
    newest = start(api, visitor_id=visitor).json_body
    call_to(api, newest["phone_number"])
    messages = aws.sqs().receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    assert visitor in messages[0]["Body"]


def test_the_next_step_of_an_erasure_goes_to_the_queue_that_the_environment_names_when_it_is_queued(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    stage_queue = f"callcard-{uuid.uuid4().hex[:8]}-erase-clients"
    url = aws.sqs().create_queue(QueueName=stage_queue)["QueueUrl"]
    phone = "+380671234567"
    post(api, caller=phone)
    monkeypatch.setattr(erasure, "BUDGET", 1)  # the call's recording spends it: the profile is left for a next step
    monkeypatch.setenv("CALLCARD_ERASE_QUEUE", stage_queue)
    assert api.request("DELETE", f"/v1/clients/{phone}", role="admin").status_code == 202
    messages = aws.sqs().receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(message["Body"]) for message in messages] == [
        {"project_id": api.project_id, "digest": erasure._digest(api.project_id, phone)}
    ]
