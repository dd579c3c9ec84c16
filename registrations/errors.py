"""Translated error pages (and JSON errors for scripts that ask for JSON)."""

import sys

from flask import g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from registrations.api.problems import is_api_request, problem
from registrations.extensions import db
from registrations.models import TrainingSession

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Check what you entered and try again.")),
    401: (_l("Authentication required"), _l("Send a valid access token in the Authorization header.")),
    403: (_l("Access denied"), _l("Your account is not allowed to see this page.")),
    404: (_l("Page not found"), _l("This page does not exist or is not available to you.")),
    405: (_l("Method not allowed"), _l("This address does not accept this kind of request.")),
    409: (_l("Conflict"), _l("This change conflicts with the current state. Reload the page and try again.")),
    410: (_l("No longer available"), _l("This document is no longer available.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    422: (_l("Invalid data"), _l("Some of the data you sent is not valid.")),
    429: (_l("Too many attempts"), _l("Too many attempts. Wait a few minutes before trying again.")),
    500: (_l("Server error"), _l("Something went wrong on our side. The team has been told; please try again later.")),
    503: (_l("Service unavailable"), _l("The service is briefly unavailable. Please try again in a few minutes.")),
}


def wants_json() -> bool:
    """True when the client asked for JSON rather than a page."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(code: int, message: str | None = None):
    """The error page (or JSON body) for an HTTP status, in the reader's language."""
    title, default_message = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    text = str(message or default_message)
    if is_api_request():
        return problem(code, title, text, g.pop("problem_errors", None))
    if wants_json():
        return jsonify(error=str(title), message=text), code
    return render_template("errors/error.html", code=code, title=title, message=text), code


def init_app(app) -> None:
    """Register the handlers for every HTTP error and for unexpected exceptions."""
    from registrations.credentials.pdf_keys import PdfSigningUnavailable  # the package imports this module

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            _l("The form has expired or its security token is missing. Reload the page and try again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code is None or error.code < 400:
            return error
        if error.response is not None:  # an answer prepared with the error (the login throttle's)
            return error.response
        invalid = (getattr(error, "data", None) or {}).get("messages")  # the API's refused fields (webargs)
        if invalid:
            g.problem_errors = invalid
            return render_error(error.code, MESSAGES[422][1])
        # A view may pass a translated message as abort(4xx, description=...).
        description = error.description if getattr(error, "translated", False) else None
        return render_error(error.code, description)

    def database_unavailable(error):
        """The database is down or restarting: a translated 503; the pool replaces dead
        connections (registrations/pool.py), so the next requests recover by themselves once it
        is back."""
        _forget_the_transaction()
        app.logger.warning("database unavailable: %s", getattr(error, "orig", None) or error)
        # The page around the message must not read the account again (from the database).
        g._login_user = AnonymousUserMixin()
        response = render_error(503)
        if isinstance(response, tuple):
            response = app.make_response(response)
        response.headers["Retry-After"] = "30"
        return response

    @app.teardown_appcontext
    def end_the_session(error=None):
        """Close the request's session before Flask-SQLAlchemy removes it (teardowns run in reverse
        order of registration): when the server cut the connection after the answer was made,
        the closing ROLLBACK fails; the connection is then dropped, and the answer still goes out
        (an error raised here would reach the client as a bare 500)."""
        try:
            db.session.close()
        except SQLAlchemyError as failure:
            app.logger.warning("database connection lost while closing the session: %s",
                               getattr(failure, "orig", None) or failure)
            db.session().invalidate()

    @app.errorhandler(PdfSigningUnavailable)
    def pdf_signing_unavailable(error):
        """No PDF signing certificate (production not set up): a clear 503 rather than an
        unsigned document; the log says what to configure."""
        _forget_the_transaction()
        app.logger.error("PDF signing unavailable: %s", error)
        return render_error(503, _l("Signed documents cannot be produced: the office's PDF signing "
                                    "certificate is not configured. An administrator must set it up."))

    # A connection refused, cut or closed (psycopg says "operational" or "interface" error).
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(InterfaceError, database_unavailable)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        # During an outage other errors escape too: a statement on a connection the server cut
        # (`connection_invalidated`), a session whose failed flush was swallowed
        # (`PendingRollbackError`)… A database error while the database does not answer is the
        # outage: 503. Anything else, or with the database answering, is a bug: 500, logged.
        if isinstance(error, (SQLAlchemyError, *_driver_errors())) and (
                getattr(error, "connection_invalidated", False) or not database_answers()):
            return database_unavailable(error)
        _forget_the_transaction()
        app.logger.exception("Unhandled error", exc_info=error)
        return render_error(500)

    @app.errorhandler(InternalServerError)
    def internal_error(error):
        _forget_the_transaction()
        return render_error(500)


def get_or_404(model, ident, message=None):
    """The row of `model` with this primary key, or a 404 page saying `message` (the generic
    "page not found" text by default)."""
    row = db.session.get(model, ident)
    if row is None:
        abort_with(404, message or MESSAGES[404][1])
    return row


def session_or_404(session_id: int) -> TrainingSession:
    """The training session with this id (drafts included), or a 404 page saying so."""
    return get_or_404(TrainingSession, session_id, _l("This session does not exist."))


def _forget_the_transaction() -> None:
    """Roll the request's transaction back; when its connection is gone, just let it go."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 (the connection is gone: nothing to roll back)
        db.session.close()


def _driver_errors() -> tuple[type[Exception], ...]:
    """The PostgreSQL driver's own errors, when the driver is in use (it is loaded only then:
    an application on SQLite does not carry it)."""
    driver = sys.modules.get("psycopg")
    return (driver.Error,) if driver is not None else ()


def database_answers() -> bool:
    """Whether the database answers now, on a connection of its own (not the request's)."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, *_driver_errors(), OSError):
        return False
    return True


def abort_with(code: int, message) -> None:
    """Abort the request with a status and a translated message shown to the user."""
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[code](description=str(message))
    error.translated = True
    raise error
