"""Wiring the API into the application: flask-smorest's description, the token rule, CSRF.

Error handlers are not flask-smorest's (they would answer every page of the site in JSON): the
application's own answer problems for /api/ paths (`crm.api.http`).
"""

import http as http_status

import flask_smorest
from flask_smorest.utils import prepare_response

from crm.api import http, pages, views
from crm.api.schemas import ProblemSchema
from crm.base.extensions import csrf
from crm.base.permissions import PUBLIC, allow, check_tokens_with

DESCRIPTION = """\
Vitrine's API for a network's website and tools. Public routes (`/api/v1/programme/…`) need no token;
the others a token of the network, made by its coordination (page « API et webhooks » or
`flask --app wsgi api token create`), sent as `Authorization: Bearer vit_…`. A read token reads; a write
token also adds people, bookings and attendance. Lists are paginated by cursor (`next_cursor`), accept
`updated_since` to synchronise, and errors are RFC 9457 problem details (`application/problem+json`)
naming the field that caused them. Each token may make 600 requests a minute (429 and Retry-After beyond).
"""


class _Api(flask_smorest.Api):
    def _register_error_handlers(self):
        """None: see the module's note."""

    def _register_pagination_header(self):
        """None: lists go by cursor (`next_cursor` in the body), not by flask-smorest's pages."""

    def _register_responses(self):
        """The responses routes refer to: errors are problems (application/problem+json)."""
        for status in http_status.HTTPStatus:
            response = {"description": status.phrase}
            content_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
            if status >= 400:
                response["schema"], content_type = ProblemSchema, http.PROBLEM
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error", "schema": ProblemSchema}
        prepare_response(response, self.spec, http.PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def register(app) -> None:
    app.config.update(
        API_TITLE="Vitrine",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = _Api(app, spec_kwargs={"info": {"description": DESCRIPTION}})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for blueprint in (views.public, views.bp):
        csrf.exempt(blueprint)  # a token, never a cookie, opens these routes: nothing to forge
        api.register_blueprint(blueprint)
    served = app.view_functions["api-docs.openapi_json"]

    @allow(PUBLIC)
    def openapi_json():
        response = served()
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    app.view_functions["api-docs.openapi_json"] = openapi_json
    app.extensions["vitrine-api"] = api
    app.register_blueprint(pages.bp)
    check_tokens_with(http.check_token)
