"""Configuration is read when used, never at import: Chalice's packager imports app.py without the stage's
environment, and one process may serve after its environment is set."""

from __future__ import annotations

import pytest

from chalicelib import aws
from chalicelib.store.models import Call, Item, Project


def test_the_models_read_the_table_name_and_region_when_pynamodb_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLCARD_TABLE", "callcard-prod")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert [model.Meta.table_name for model in (Item, Project, Call)] == ["callcard-prod"] * 3
    assert [model.Meta.region for model in (Item, Project, Call)] == ["eu-west-1"] * 3
    monkeypatch.setenv("CALLCARD_TABLE", "callcard-dev")
    assert Call.Meta.table_name == "callcard-dev"


def test_the_bucket_and_region_are_read_when_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLCARD_BUCKET", "callcard-prod-recordings")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-2")
    assert (aws.bucket_name(), aws.region()) == ("callcard-prod-recordings", "us-east-2")
