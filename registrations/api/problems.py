"""RFC 9457 problem details: every error of the API, in the caller's language."""

from flask import current_app, json, request

#: The media type of a problem document.
PROBLEM_TYPE = "application/problem+json"


def is_api_request() -> bool:
    """Whether the request is addressed to the API (its errors are problem documents)."""
    return request.path.startswith("/api/")


def problem(status: int, title: str, detail: str, errors: dict | None = None):
    """A problem+json answer; `errors` holds the invalid fields of a request, by place and name."""
    body = {"type": "about:blank", "title": str(title), "status": status, "detail": str(detail),
            "instance": request.path}
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
