"""Pages of the API: the account's tokens, the admin's list of every token, the documentation
page and the OpenAPI document."""

from datetime import timedelta

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from registrations.access import ANYONE, AUTHENTICATED, allow
from registrations.api import pages, tokens
from registrations.api.forms import ApiTokenCreateForm
from registrations.clock import local_today
from registrations.errors import abort_with
from registrations.forms import FlaskForm
from registrations.models import ApiToken, Role, utcnow
from registrations.paging import paginate
from registrations.transaction import run


@pages.get("/api/v1/openapi.json")
@allow(ANYONE)
def openapi():
    """The OpenAPI 3.1 document, made from the schemas that validate and serialise the API."""
    return jsonify(current_app.extensions["api"].spec.to_dict())


@pages.get("/api/v1/docs")
@allow(ANYONE)
def docs():
    """The API's documentation as a page (drawn on the server from the OpenAPI document: no script)."""
    spec = current_app.extensions["api"].spec.to_dict()
    operations = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if method in ("get", "post", "put", "patch", "delete"):
                operations.append((method.upper(), path, operation))
    return render_template("api/docs.html", spec=spec, operations=operations)


def _token_page(form, created=None, status=200):
    return render_template("api/tokens.html", form=form, created=created,
                           tokens=tokens.tokens_of(current_user.id), now=utcnow()), status


@pages.route("/account/tokens", methods=["GET", "POST"])
@allow(AUTHENTICATED)
def my_tokens():
    """The account's personal access tokens: create one (shown once), list them, revoke them."""
    form = ApiTokenCreateForm()
    if request.method == "GET":
        form.expires_on.data = local_today() + timedelta(days=90)
        return _token_page(form)
    if not form.validate_on_submit():
        return _token_page(form, status=400)
    try:
        token, secret = run(tokens.create, current_user._get_current_object(), form.name.data, form.scopes.data,
                            form.expires_on.data, today=local_today())
    except tokens.TokenError as error:
        form.expires_on.errors = [*form.expires_on.errors, str(error.message)]
        return _token_page(form, status=error.status)
    flash(_("Token created. Copy it now: it will not be shown again."), "success")
    return _token_page(ApiTokenCreateForm(formdata=None, expires_on=form.expires_on.data), created=secret,
                       status=201)


@pages.post("/account/tokens/<int:token_id>/revoke")
@allow(AUTHENTICATED)
def revoke_token(token_id: int):
    """Revoke a token: one's own, or anyone's for an admin."""
    if not FlaskForm().validate_on_submit():
        abort_with(400, _("The form has expired or its security token is missing. Reload the page and try again."))
    try:
        run(tokens.revoke, token_id, actor=current_user._get_current_object())
    except tokens.TokenError as error:
        abort_with(error.status, error.message)
    flash(_("The token is revoked."), "success")
    if current_user.role == Role.ADMIN and request.form.get("back") == "admin":
        return redirect(url_for("api_pages.all_tokens"))
    return redirect(url_for("api_pages.my_tokens"))


@pages.get("/admin/api-tokens")
@allow(Role.ADMIN)
def all_tokens():
    """Every account's tokens, newest first, each with a button to revoke it."""
    page = paginate(select(ApiToken).options(joinedload(ApiToken.user)).order_by(ApiToken.id.desc()))
    return render_template("api/all_tokens.html", page=page, now=utcnow())


