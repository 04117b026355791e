"""`make package`: one stage's SAM template and deployment.zip (`chalice package` with infra/resources.json merged).

Every resource name starts with the template's `NamePrefix` parameter, `callcard-<stage>`, so that the stages can
be deployed side by side in one account and region. Chalice merges one template file and knows nothing of
parameters, so this writes a copy of infra/resources.json whose `NamePrefix` allows only the packaged stage's
prefix: a template packaged for dev cannot be deployed with prod's names.

    python -m infra.package --stage prod out/
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "infra" / "resources.json"
CHALICE = Path(sys.executable).parent / "chalice"
DEFAULT_REGION = "eu-central-1"


def stages() -> list[str]:
    config: dict[str, Any] = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    return sorted(config["stages"])


def name_prefix(stage: str) -> str:
    return f"callcard-{stage}"


def stage_resources(stage: str) -> dict[str, Any]:
    """infra/resources.json with the stage's name prefix as `NamePrefix`'s default and only allowed value."""
    template: dict[str, Any] = json.loads(RESOURCES.read_text(encoding="utf-8"))
    template["Parameters"]["NamePrefix"] |= {"Default": name_prefix(stage), "AllowedValues": [name_prefix(stage)]}
    return template


def package(stage: str, out: Path) -> Path:
    """Package `stage` into `out` (sam.json and deployment.zip); returns the template's path."""
    with tempfile.TemporaryDirectory() as work:
        merge = Path(work) / "resources.json"
        merge.write_text(json.dumps(stage_resources(stage), indent=2), encoding="utf-8")
        command = [str(CHALICE), "package", "--stage", stage, "--merge-template", str(merge), str(out)]
        env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION)}
        subprocess.run(command, cwd=ROOT, env=env, check=True)
    return out / "sam.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", required=True, choices=stages())
    parser.add_argument("out", type=Path)
    arguments = parser.parse_args()
    package(arguments.stage, arguments.out)


if __name__ == "__main__":
    main()
