"""callcard's HTTP API: the routes live in chalicelib/routes (one blueprint per domain)."""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Chalice, Request, Response

from chalicelib.errors import ApiError, translate_chalice_error
from chalicelib.routes import calls, clients, settings

app = Chalice(app_name="callcard")
app.register_blueprint(calls.bp)
app.register_blueprint(clients.bp)
app.register_blueprint(settings.bp)


@app.middleware("http")
def contract_errors(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Every error leaves in the contract's format, whoever raised it."""
    try:
        return translate_chalice_error(get_response(request))
    except ApiError as error:
        return error.as_response()
