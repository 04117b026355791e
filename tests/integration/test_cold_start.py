"""`import app` (every function's cold start) loads only what every request uses: no group of models (nor pydantic)
before a request needs it, and the optional packages load where they are used (bench/coldstart.py measures it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

# what `import app` reports about itself in a fresh interpreter
_REPORT = """
import json, sys
import app
groups = sorted(name for name in sys.modules if name.startswith("chalicelib.schemas."))
optional = {"aws_xray_sdk", "mutagen", "ua_parser", "ua_parser_builtins", "phonenumbers", "boto3", "pydantic",
            "pydantic_core"}
loaded = sorted({name.split(".")[0] for name in sys.modules} & optional)
from pydantic import BaseModel

def subclasses(model):
    for subclass in model.__subclasses__():
        yield subclass
        yield from subclasses(subclass)

built = {model.__qualname__ for model in subclasses(BaseModel) if model.__module__.startswith("chalicelib")
         and model.__pydantic_complete__}
print(json.dumps({"groups": groups, "built": sorted(built), "loaded": loaded}))
"""


# a session start through the app (Chalice's test client), refused by the model's validation: no AWS call
_TRACKING_REQUEST = """
import json, sys
from chalice.test import Client
import app
with Client(app.app) as client:
    start = {"site_key": "x" * 24, "visitor_id": "visitor-1", "url": "not an address"}
    json_body = {"Content-Type": "application/json"}
    answer = client.http.post("/v1/track/sessions", headers=json_body, body=json.dumps(start))
    assert answer.status_code == 422, answer.body
print(json.dumps(sorted(name for name in sys.modules if name.startswith("chalicelib.schemas."))))
"""


def _last_line(script: str) -> Any:
    """The JSON that `script` prints last, run in a fresh interpreter at the repository's root (the app's log
    lines come before it)."""
    answer = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2]
    )
    return json.loads(answer.stdout.splitlines()[-1])


def test_import_app_makes_no_model_and_loads_no_optional_package() -> None:
    """A group of models (chalicelib/schemas), and pydantic with it, is imported by the first request that uses one
    of its models, and each model is built on first use; X-Ray only inside Lambda, the ogg checker only in the
    queue's handler, the user-agent parser on the first tracking request, phonenumbers on the first request that
    reads or shows a number (never a tracking event), botocore without boto3."""
    assert _last_line(_REPORT) == {"groups": [], "built": [], "loaded": []}


def test_a_tracking_request_imports_only_the_tracking_models() -> None:
    """What a session start imports of chalicelib/schemas, in a fresh interpreter through the app's own route."""
    assert _last_line(_TRACKING_REQUEST) == ["chalicelib.schemas.fields", "chalicelib.schemas.tracking"]
