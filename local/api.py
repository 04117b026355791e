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
from http import HTTPStatus
from http.server import HTTPServer
from pathlib import Path
from typing import Any

import chalice
from chalice.app import Chalice
from chalice.cli.factory import CLIFactory
from chalice.config import Config
from chalice.deploy.validate import validate_routes
from chalice.local import (
    ChaliceRequestHandler,
    ForbiddenError,
    LocalDevServer,
    LocalGatewayException,
    RouteMatcher,
    create_local_server,
)

from chalicelib.observability import route_name
from chalicelib.versions import require_version

# GatewayRequestHandler overrides chalice.local's request handler internals (_send_error_response, the do_* lookup)
CHALICE_VERSION = "1.34.0"
require_version(chalice, CHALICE_VERSION, "local.api (GatewayRequestHandler)")

ROOT = Path(__file__).resolve().parent.parent
# What the template's MISSING_AUTHENTICATION_TOKEN gateway response answers.
NO_SUCH_ROUTE = {"error": {"code": "not_found", "message": "no such route", "details": {}}}
# Connections the kernel completes before the server accepts them. socketserver's default (5) made about 20 at once
# (one page's parallel event batches, a load test) wait a second for a SYN retry, or be reset (macOS).
LISTEN_BACKLOG = 128


class GatewayRequestHandler(ChaliceRequestHandler):
    """Chalice's request handler with the deployed gateway's answers to what no route takes, and an access log that
    names the route template as the deployed one does (chalicelib/observability.py): the path and the query hold
    phone numbers, share tokens and cursors."""

    def __init__(
        self,
        request: bytes,
        client_address: tuple[str, int],
        server: HTTPServer,
        app_object: Chalice,
        config: Config,
        routes: RouteMatcher,
    ) -> None:
        self.routes = routes  # before the base class, which handles the request as it is made
        super().__init__(request, client_address, server, app_object, config)

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

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.log_message('"%s" %s %s', self._route(), code.value if isinstance(code, HTTPStatus) else code, size)

    def log_error(self, format: str, *args: Any) -> None:
        # the standard library's messages quote the raw request line: only the status it answered (send_error's)
        status = int(args[0]) if args and isinstance(args[0], int) else "-"
        self.log_message('"%s" error %s', self._route(), status)

    def _route(self) -> str:
        path = getattr(self, "path", None)  # unset when the request line could not be read
        try:
            template = self.routes.match_route(path).route if path else None
        except ValueError:
            template = None  # no route takes it
        return route_name(getattr(self, "command", None), template)


def server(host: str, port: int, stage: str = "dev") -> LocalDevServer:
    """The app of the stage, served as `chalice local --stage <stage>` would, by GatewayRequestHandler."""
    config = CLIFactory(project_dir=str(ROOT)).create_config_obj(chalice_stage_name=stage)
    app = config.chalice_app
    validate_routes(app.routes)
    local = create_local_server(app, config, host, port)
    routes = RouteMatcher(list(app.routes))
    local.server.RequestHandlerClass = functools.partial(
        GatewayRequestHandler, app_object=app, config=config, routes=routes
    )
    # the server listens as soon as it is made; listening again on the same socket sets the new backlog
    local.server.socket.listen(LISTEN_BACKLOG)
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
