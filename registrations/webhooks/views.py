"""Admin pages of the webhooks: register endpoints, read their delivery log, send again,
disable and enable."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from registrations import audit
from registrations.access import allow
from registrations.errors import abort_with, get_or_404
from registrations.extensions import db
from registrations.forms import FlaskForm
from registrations.models import Role, WebhookDelivery, WebhookEndpoint
from registrations.paging import paginate
from registrations.transaction import run
from registrations.webhooks import addresses, bp, delivery
from registrations.webhooks.events import forget_endpoints
from registrations.webhooks.forms import EVENT_LABELS, WebhookEndpointForm
from registrations.webhooks.signing import new_secret


def _endpoints_page(form, status=200):
    endpoints = list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))
    counts = dict(db.session.execute(select(WebhookDelivery.endpoint_id, func.count())
                                     .group_by(WebhookDelivery.endpoint_id)).all())
    return render_template("webhooks/endpoints.html", form=form, endpoints=endpoints, counts=counts,
                           labels=EVENT_LABELS), status


def create_endpoint(url: str, events: list[str]) -> WebhookEndpoint:
    """Register an endpoint (the URL already checked) with a new signing secret."""
    endpoint = WebhookEndpoint(url=url, events=" ".join(e for e in EVENT_LABELS if e in events), secret=new_secret())
    db.session.add(endpoint)
    db.session.flush()
    audit.record("webhook.created", endpoint, after={"url": url, "events": endpoint.events})
    forget_endpoints()
    return endpoint


@bp.route("/admin/webhooks", methods=["GET", "POST"])
@allow(Role.ADMIN)
def endpoints():
    """The registered endpoints, and the form to register one."""
    form = WebhookEndpointForm()
    if request.method == "GET":
        return _endpoints_page(form)
    if not form.validate_on_submit():
        return _endpoints_page(form, 400)
    url = form.url.data.strip()
    try:
        addresses.check(url)
    except addresses.AddressRefused as refused:
        form.url.errors = [*form.url.errors, str(refused.message)]
        return _endpoints_page(form, 400)
    endpoint = run(create_endpoint, url, form.events.data)
    flash(_("Endpoint registered. Its signing secret is on its page."), "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint.id))


@bp.get("/admin/webhooks/<int:endpoint_id>")
@allow(Role.ADMIN)
def endpoint(endpoint_id: int):
    """An endpoint: its secret, events and delivery log (newest first)."""
    found = get_or_404(WebhookEndpoint, endpoint_id)
    page = paginate(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == found.id)
                    .order_by(WebhookDelivery.id.desc()))
    return render_template("webhooks/endpoint.html", endpoint=found, page=page,
                           labels=EVENT_LABELS)


def _checked_form():
    if not FlaskForm().validate_on_submit():
        abort_with(400, _("The form has expired or its security token is missing. Reload the page and try again."))


def _toggle(endpoint_id: int, active: bool) -> WebhookEndpoint:
    found = get_or_404(WebhookEndpoint, endpoint_id)
    found.active = active
    if active:
        found.consecutive_failures, found.disabled_reason = 0, ""
    audit.record("webhook.updated", found, after={"active": active})
    forget_endpoints()
    db.session.flush()
    return found


@bp.post("/admin/webhooks/<int:endpoint_id>/active")
@allow(Role.ADMIN)
def toggle(endpoint_id: int):
    """Disable an endpoint, or enable it again (its failure count starts over)."""
    _checked_form()
    active = request.form.get("active") == "1"
    run(_toggle, endpoint_id, active)
    flash(_("The endpoint is enabled.") if active else _("The endpoint is disabled."), "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))


@bp.post("/admin/webhooks/deliveries/<int:delivery_id>/send-again")
@allow(Role.ADMIN)
def send_again(delivery_id: int):
    """Send a delivery again now (same webhook-id)."""
    _checked_form()
    again = run(delivery.send_again, delivery_id)
    if again is None:
        abort_with(404, _("This delivery does not exist."))
    flash(_("The delivery is being sent again."), "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=again.endpoint_id))
