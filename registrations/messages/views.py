"""Pages of the outbox: Administration → Messages (admins), and each account's own messages."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, or_, select
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from registrations.access import AUTHENTICATED, STAFF, allow
from registrations.admin.forms import as_choices
from registrations.errors import abort_with, session_or_404
from registrations.forms import FlaskForm
from registrations.messages import announcements, bp
from registrations.messages.announcements import AnnouncementForm
from registrations.messages.kinds import label
from registrations.messages.outbox import send_again
from registrations.models import Message, MessageState, Role
from registrations.paging import paginate
from registrations.transaction import run

#: Labels of the objects a message can concern.
OBJECT_LABELS = {
    "registration": _l("Registration"),
    "user": _l("Account"),
    "session": _l("Session"),
    "certificate": _l("Certificate"),
}


class MessageFilterForm(FlaskForm):
    class Meta:
        csrf = False

    state = SelectField(_l("State"), validators=[Optional()])
    q = StringField(_l("Recipient or subject"), validators=[Optional(), Length(max=100)])


def _listing():
    return select(Message).order_by(Message.created_at.desc(), Message.id.desc())


@bp.get("/admin/messages")
@allow(Role.ADMIN)
def admin_list():
    """Every message the application sent or will send, newest first, with filters."""
    form = MessageFilterForm(request.args)
    form.state.choices = as_choices([("", _("All states")), *MessageState.choices()])
    if not form.validate():
        return render_template("messages/admin_list.html", form=form, page=None,
                               object_labels=OBJECT_LABELS, subject_of=label), 400
    query = _listing()
    if form.state.data:
        query = query.where(Message.state == MessageState(form.state.data))
    text = (form.q.data or "").strip()
    if text:
        query = query.where(or_(Message.recipient.contains(text.lower(), autoescape=True),
                                func.lower(Message.subject).contains(text.lower(), autoescape=True)))
    return render_template("messages/admin_list.html", form=form, page=paginate(query),
                           object_labels=OBJECT_LABELS, subject_of=label)


@bp.post("/admin/messages/<int:message_id>/send-again")
@allow(Role.ADMIN)
def resend(message_id: int):
    """Queue a copy of a message (for instance after a failure was fixed); audited."""
    form = FlaskForm()
    if not form.validate():
        abort_with(400, _("The form has expired or its security token is missing. Reload the page and try again."))
    copy = run(send_again, message_id, actor=current_user._get_current_object())
    if copy is None:
        abort_with(404, _("This message does not exist."))
    flash(_("The message to %(email)s is queued again.", email=copy.recipient), "success")
    return redirect(url_for(".admin_list"))


@bp.get("/messages")
@allow(AUTHENTICATED)
def mine():
    """The messages sent to the logged-in account (by account, or to its address)."""
    query = _listing().where(or_(Message.user_id == current_user.id, Message.recipient == current_user.email))
    return render_template("messages/mine.html", page=paginate(query), object_labels=OBJECT_LABELS, subject_of=label)


@bp.route("/manage/sessions/<int:session_id>/announcement", methods=["GET", "POST"])
@allow(STAFF)
def announce(session_id: int):
    """Write one announcement to the session's approved (or waitlisted) participants."""
    session = session_or_404(session_id)
    form = AnnouncementForm()
    status = 200
    if form.validate_on_submit():
        count = run(announcements.announce, session, form.audience.data, form.texts(),
                    actor=current_user._get_current_object())
        flash(ngettext("The announcement is queued for %(num)d person.",
                       "The announcement is queued for %(num)d people.", count), "success")
        return redirect(url_for(".announce", session_id=session.id))
    if request.method == "POST":
        status = 400
    return render_template("messages/announce.html", session=session, form=form), status
