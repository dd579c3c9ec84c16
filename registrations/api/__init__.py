"""The REST API (`/api/v1/`): flask-smorest routes whose marshmallow schemas validate requests,
serialise answers and make the OpenAPI document; the same access rules and services as the pages.

`bp` holds the documented resources; `pages` the account's token pages, the documentation page
and the OpenAPI document (plain Flask views).
"""

from http import HTTPStatus

from flask import Blueprint
from flask_smorest import Api as _Api
from flask_smorest import Blueprint as ApiBlueprint


class Api(_Api):
    """flask-smorest's Api without its error handlers: the application's own handlers answer
    API requests with problem+json (registrations/errors.py), every other request with pages."""

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        """Every error is documented as a problem document (the "default" answer of each operation)."""
        from flask_smorest.utils import prepare_response

        from registrations.api.schemas import ProblemSchema

        for name, description in [*((s.name, s.phrase) for s in HTTPStatus if s >= 400),
                                  ("DEFAULT_ERROR", "A problem document (RFC 9457), in the caller's language.")]:
            response = {"description": description, "schema": ProblemSchema}
            prepare_response(response, self.spec, "application/problem+json")
            self.spec.components.response(name, response, lazy=True)


bp = ApiBlueprint("api", __name__, url_prefix="/api/v1",
                  description="Sessions, registrations and participants of the cooperation office.")
pages = Blueprint("api_pages", __name__)


def init_app(app) -> None:
    """Bind the API: its routes, request hooks (tokens, limits, ETags, idempotency) and pages."""
    from registrations.api import hooks, pages_views, resources, resources_office  # noqa: F401 (routes)
    from registrations.extensions import csrf, login_manager

    # Bearer tokens are not cookies: a forged cross-site request cannot carry one. A cookie never
    # authenticates the API (hooks.authenticate), so CSRF cannot apply to it.
    csrf.exempt(bp)
    # An anonymous call of a protected resource gets 401, never the login page.
    login_manager.blueprint_login_views["api"] = None
    from registrations.inputs import IdConverter

    api = Api(app, spec_kwargs={"servers": [{"url": "/"}]})
    api.register_converter(IdConverter, lambda converter: {"type": "integer", "minimum": 1, "maximum": 2**31 - 1})
    api.spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer",
        "description": "A personal access token, created on the account's page Access tokens."})
    api.spec.options["security"] = [{}, {"bearerAuth": []}]
    hooks.init_app(app)
    api.register_blueprint(bp)
    app.extensions["api"] = api
    from registrations.api.cli import create_token_command

    app.cli.add_command(create_token_command)
    app.register_blueprint(pages)
