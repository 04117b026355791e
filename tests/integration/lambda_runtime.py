"""The packaged functions run as Lambda's Python runtime runs them: started as `python -I -S lambda_runtime.py`
(no site-packages, no environment's PYTHON* settings, not the repository), it puts the unzipped deployment
package first on sys.path and the layers' folders after it (Lambda's /opt/python), imports each handler and
hands it its event.

Reads a job on stdin, `{"path": [folders], "invocations": [{"handler": "app.app", "event": {...}}]}`, and writes
`{"results": [{"result": ...} or {"error": traceback}], "outside": [files imported from elsewhere]}` to the file
named by its one argument (stdout is the functions' log, as on Lambda).
"""

from __future__ import annotations

import importlib
import json
import sys
import sysconfig
import traceback
from typing import Any


def _imported_from_elsewhere(folders: list[str]) -> list[str]:
    """Modules loaded from neither the given folders nor the standard library."""
    allowed = (*folders, sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"])
    files = (getattr(module, "__file__", None) for module in list(sys.modules.values()))
    return sorted({file for file in files if file and not file.startswith(allowed) and file != __file__})


def main() -> None:
    job: dict[str, Any] = json.load(sys.stdin)
    sys.path[:0] = job["path"]
    results: list[dict[str, Any]] = []
    for invocation in job["invocations"]:
        module_name, _, name = invocation["handler"].rpartition(".")
        try:
            handler = getattr(importlib.import_module(module_name), name)
            results.append({"result": handler(invocation["event"], None)})
        except Exception:
            results.append({"error": traceback.format_exc()})
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump({"results": results, "outside": _imported_from_elsewhere(job["path"])}, out)


if __name__ == "__main__":
    main()
