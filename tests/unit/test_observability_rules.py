"""Phone numbers in log messages and stacks are masked (the country code and the last two digits stay), and
traces are made only inside Lambda."""

from __future__ import annotations

import pytest

from chalicelib import observability
from chalicelib.observability import mask_phones


def test_an_e164_number_keeps_only_its_first_and_last_two_digits() -> None:
    assert mask_phones("no client +380501234567 here") == "no client +38…67 here"


def test_every_number_in_a_text_is_masked_and_ids_are_not() -> None:
    text = "call 26dc184bc61e40c8990a3d44dc7d4ff3 from +14155550123 to +442071838750"
    assert mask_phones(text) == "call 26dc184bc61e40c8990a3d44dc7d4ff3 from +14…23 to +44…50"


@pytest.mark.parametrize(
    ("environment", "traced"),
    [
        ({}, False),
        ({"LAMBDA_TASK_ROOT": "/var/task"}, True),
        ({"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "true"}, False),
        ({"LAMBDA_TASK_ROOT": "/var/task", "AWS_CHALICE_CLI_MODE": "true"}, False),
        ({"LAMBDA_TASK_ROOT": "/var/task", "AWS_SAM_LOCAL": "true"}, False),
    ],
)
def test_traces_are_made_only_inside_lambda(
    environment: dict[str, str], traced: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LAMBDA_TASK_ROOT", "POWERTOOLS_TRACE_DISABLED", "AWS_CHALICE_CLI_MODE", "AWS_SAM_LOCAL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert observability._traced() is traced
