"""The API and the web app on a local port, answering as the deployed API Gateway does.

`chalice local` runs the app as API Gateway would, except for requests that no route takes: it answers an
unknown path with API Gateway's raw 403 (`Missing Authentication Token`, or with an Authorization header an
`IncompleteSignature` complaint), and a method that no route has (TRACE,
QUERY, ...) with the standard library's 501 HTML page. The deployed gateway maps those onto the contract's error
format (infra/resources.json, `GatewayResponses`): here an unknown path is a 404 and an unknown method reaches the
app, whose 405 the error middleware already writes in the contract's format.

    python -m local.api [--host 127.0.0.1] [--port 8000] [--stage dev]
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import chalice
from chalice.cli.factory import CLIFactory
from chalice.deploy.validate import validate_routes
from chalice.local import (
    ChaliceRequestHandler,
    ForbiddenError,
    LocalDevServer,
    LocalGatewayException,
    create_local_server,
)

from chalicelib.versions import require_version

# GatewayRequestHandler overrides chalice.local's request handler internals (_send_error_response, the do_* lookup)
CHALICE_VERSION = "1.34.0"
require_version(chalice, CHALICE_VERSION, "local.api (GatewayRequestHandler)")

ROOT = Path(__file__).resolve().parent.parent
# What the template's MISSING_AUTHENTICATION_TOKEN gateway response answers.
NO_SUCH_ROUTE = {"error": {"code": "not_found", "message": "no such route", "details": {}}}


class GatewayRequestHandler(ChaliceRequestHandler):
    """Chalice's request handler with the deployed gateway's answers to what no route takes."""

    def __getattr__(self, name: str) -> Any:
        # BaseHTTPRequestHandler looks up `do_<METHOD>`; every method goes to the gateway, which routes it
        if name.startswith("do_"):
            return self._generic_handle
        raise AttributeError(name)

    def _send_error_response(self, error: LocalGatewayException) -> None:
        # no route matched: API Gateway's 403 (its wording depends on whether an Authorization header came)
        if isinstance(error, ForbiddenError):  # raised only there: the app uses no Chalice authorizer
            body = json.dumps(NO_SUCH_ROUTE).encode()
            self._send_http_response(404, {"Content-Type": "application/json"}, body)
            return
        super()._send_error_response(error)


def server(host: str, port: int, stage: str = "dev") -> LocalDevServer:
    """The app of the stage, served as `chalice local --stage <stage>` would, by GatewayRequestHandler."""
    config = CLIFactory(project_dir=str(ROOT)).create_config_obj(chalice_stage_name=stage)
    app = config.chalice_app
    validate_routes(app.routes)
    local = create_local_server(app, config, host, port)
    local.server.RequestHandlerClass = functools.partial(GatewayRequestHandler, app_object=app, config=config)
    return local


def wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    """Wait for a local API started as `python -m local.api` (tests, screenshots) to answer at `url`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the local API exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer means it is serving
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the local API did not answer within {seconds} s:\n{log.read_text()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stage", default="dev")
    args = parser.parse_args(argv)
    # as `chalice local` does: the app's log lines on stdout, as Lambda would show them
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    server(args.host, args.port, args.stage).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
