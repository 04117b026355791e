"""`import app` (every function's cold start) loads only what a common API request uses: no pydantic model is built
before a request needs it, and the optional packages load where they are used (bench/coldstart.py measures it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# what `import app` reports about itself in a fresh interpreter
_REPORT = """
import json, sys
import app
from pydantic import BaseModel

def subclasses(model):
    for subclass in model.__subclasses__():
        yield subclass
        yield from subclasses(subclass)

built = {model.__qualname__ for model in subclasses(BaseModel) if model.__module__.startswith("chalicelib")
         and model.__pydantic_complete__}
optional = {"aws_xray_sdk", "mutagen", "ua_parser", "ua_parser_builtins", "phonenumbers", "boto3"}
print(json.dumps({"built": sorted(built), "loaded": sorted({name.split(".")[0] for name in sys.modules} & optional)}))
"""


def _import_app() -> dict[str, list[str]]:
    answer = subprocess.run(
        [sys.executable, "-c", _REPORT], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2]
    )
    report: dict[str, list[str]] = json.loads(answer.stdout)
    return report


def test_import_app_builds_no_model_and_loads_no_optional_package() -> None:
    """Models are built on first use (a request pays for its own few); X-Ray only inside Lambda, the ogg checker
    only in the queue's handler, the user-agent parser on the first tracking request, phonenumbers on the first
    request that reads or shows a number (never a tracking event), botocore without boto3."""
    assert _import_app() == {"built": [], "loaded": []}
