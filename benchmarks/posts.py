"""Registration posts that are all valid work, and the checks after they ran.

Each post registers one partner account for one open session it is eligible for and not yet
registered in (or, without a register endpoint, nominates a colleague), so a refusal is a real
error. The form is read from the application's own page, with each account's CSRF token.
After the checks, what the posts created is removed again (`undo`), so runs can be repeated.
"""

import time
import urllib.parse
from itertools import zip_longest

import sqlalchemy as sa
from harness import Browser, csrf_token, find_form

from benchmarks.scale.generate import PASSWORD
from benchmarks.scale.pages import POSTS, build_url, exists, pick_ids
from registrations.enrolment.seats import recount_seats_taken
from registrations.extensions import db
from registrations.models import (
    LIVE_STATES,
    Agency,
    AuditEvent,
    Message,
    Participant,
    Registration,
    RegistrationState,
    Role,
    SessionStatus,
    TrainingSession,
    User,
    utcnow,
)


def post_page(app):
    """The first state-changing page of POSTS that exists in this build."""
    return next((page for page in POSTS if exists(app, page)), None)


def _open_pairs(nominate: bool) -> dict[str, tuple]:
    """For each generated partner account: (user id, country, agency id, open sessions it may use)."""
    now = utcnow()
    sessions = db.session.scalars(
        sa.select(TrainingSession).where(
            TrainingSession.status == SessionStatus.PUBLISHED,
            sa.or_(TrainingSession.registration_deadline.is_(None), TrainingSession.registration_deadline > now),
            sa.or_(TrainingSession.registration_opens_at.is_(None), TrainingSession.registration_opens_at <= now),
        ).order_by(TrainingSession.id)).all()
    partners = db.session.execute(
        sa.select(User.email, User.id, User.participant_id, Agency.country, Agency.id)
        .join(Agency, Agency.id == User.agency_id)
        .where(User.role == Role.PARTNER, User.active, Agency.active, User.email.like("partner%@scale.test"))
        .order_by(User.email)).all()
    live = set(db.session.execute(
        sa.select(Registration.participant_id, Registration.session_id)
        .where(Registration.state.in_(LIVE_STATES),
               Registration.participant_id.in_([p.participant_id for p in partners]))).all())
    pairs = {}
    for email, user_id, participant_id, country, agency_id in partners:
        usable = [s.id for s in sessions if s.accepts_country(country)
                  and (nominate or (participant_id, s.id) not in live)]
        pairs[email] = (user_id, country, agency_id, usable)
    return pairs


def prepare(app, base: str, limit: int) -> tuple[list[str], dict]:
    """Log every partner in, read the form, and build up to `limit` posts as
    "cookie<TAB>path<TAB>body" lines, interleaving accounts and sessions.

    Each account's form is read from its own page (the registration form is prefilled with that
    account's own details), and required fields the form leaves empty are filled in as the person
    would, so that every post is accepted."""
    page = post_page(app)
    nominate = page.key == "nominate"
    with app.app_context():
        pairs = _open_pairs(nominate)
        db.session.remove()
    per_account: list[list[str]] = []
    fields_seen: set[str] = set()
    for email, (user_id, _country, agency_id, sessions) in pairs.items():
        if not sessions:
            continue
        browser = Browser(base)
        browser.log_in(email, PASSWORD)
        _, _, home = browser.request("/")
        token = csrf_token(home.decode())
        with app.app_context():
            user = db.session.get(User, user_id)
            urls = [build_url(app, page, {**pick_ids("none", user), "session_id": sid}) for sid in sessions]
            nominees = _nominees(agency_id, user.participant_id) if nominate else []
            agency_name = db.session.get(Agency, agency_id).name
            db.session.remove()
        template = _form_template(app, browser, page, urls[0], sessions[0])
        _fill_required(template, email, agency_name)
        fields_seen.update(k for k in template if not k.startswith("__"))
        cookie = browser.cookie()
        lines = []
        for session_id, url in zip(sessions, urls, strict=True):
            for fields in _variants(template, nominees):
                fields = dict(fields, csrf_token=token)
                if "session_id" in fields:
                    fields["session_id"] = str(session_id)
                lines.append(f"{cookie}\t{url}\t{urllib.parse.urlencode(fields)}")
        per_account.append(lines)
    mixed = [line for group in zip_longest(*per_account) for line in group if line]
    info = {"endpoint": page.endpoint, "accounts": len(per_account), "available_posts": len(mixed),
            "form_fields": sorted(fields_seen)}
    return mixed[:limit], info


def _form_template(app, browser: Browser, page, url: str, session_id: int) -> dict:
    """The fields of the form posting to `url`: from the page itself, else from the session page."""
    status, _, html = browser.request(url)
    form = find_form(html.decode(), url) if status == 200 else None
    if form is None and "sessions.detail" in app.view_functions:
        with app.test_request_context():
            from flask import url_for

            detail = url_for("sessions.detail", session_id=session_id)
        status, _, html = browser.request(detail)
        form = find_form(html.decode(), url) if status == 200 else None
    return form or {"__options__": {}, "__required__": {}}


def _fill_required(template: dict, email: str, agency_name: str) -> None:
    """Fill the required fields the form leaves empty (the scale data has no unit, and not every
    person an address), as the person registering would: their address, their agency's name."""
    for name, kind in template.get("__required__", {}).items():
        if name in template and not template[name].strip():
            template[name] = email if kind == "email" or name == "email" else agency_name


def _nominees(agency_id: int, own: int | None) -> list[int]:
    return list(db.session.scalars(sa.select(Participant.id).where(Participant.agency_id == agency_id,
                                                                   Participant.id != own)
                                   .order_by(Participant.id).limit(50)))


def _variants(template: dict, nominees: list[int]):
    """The form once (registering oneself) or once per colleague (nominating)."""
    options = template.get("__options__", {})
    fields = {k: v for k, v in template.items() if not k.startswith("__")}
    field = next((name for name in list(options) + list(fields) if "participant" in name), None)
    if not nominees or field is None:
        yield fields
        return
    choices = [v for v in options.get(field, []) if v] or [str(n) for n in nominees]
    for choice in choices[:5]:
        yield dict(fields, **{field: choice})


def counts() -> dict:
    """Registrations so far, and sessions overbooked or whose seats_taken disagrees."""
    approved = (sa.select(Registration.session_id, sa.func.count().label("n"))
                .where(Registration.state == RegistrationState.APPROVED)
                .group_by(Registration.session_id).subquery())
    joined = sa.select(TrainingSession.capacity, TrainingSession.seats_taken,
                       sa.func.coalesce(approved.c.n, 0)).outerjoin(approved,
                                                                    approved.c.session_id == TrainingSession.id)
    rows = db.session.execute(joined).all()
    return {
        "registrations": db.session.scalar(sa.select(sa.func.count()).select_from(Registration)),
        "max_registration_id": db.session.scalar(sa.select(sa.func.max(Registration.id))) or 0,
        "max_audit_id": db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0,
        "max_message_id": db.session.scalar(sa.select(sa.func.max(Message.id))) or 0,
        "overbooked": sum(1 for capacity, _, n in rows if n > capacity),
        "seats_mismatch": sum(1 for _, taken, n in rows if taken != n),
    }


def settled_counts(quiet: float = 1.0, limit: float = 20.0) -> dict:
    """`counts()` once the server has finished the posts still in its queue when wrk stopped
    (no new registration for `quiet` seconds, or `limit` seconds in all)."""
    deadline = time.monotonic() + limit
    last = None
    while True:
        db.session.remove()
        now = db.session.scalar(sa.select(sa.func.count()).select_from(Registration))
        if now == last or time.monotonic() > deadline:
            return counts()
        last = now
        time.sleep(quiet)


def undo(before: dict) -> int:
    """Remove what the posts created (registrations, their audit events and the messages that
    tell of them) and set each session's seats_taken back to its approved count, so that the next
    run has the same work (and the job worker of a later run has no messages of registrations that
    are gone to go through). Returns the number of registrations removed."""
    db.session.remove()
    if db.engine.dialect.name == "sqlite":
        # Take the write lock before reading, or a writer that committed meanwhile makes SQLite
        # refuse to upgrade this transaction's snapshot.
        db.session.connection(execution_options={"sqlite_immediate": True})
    created = sa.select(Registration.session_id).where(Registration.id > before["max_registration_id"])
    touched = set(db.session.scalars(created.distinct()))
    removed = db.session.execute(sa.delete(Registration).where(Registration.id > before["max_registration_id"]))
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id > before["max_audit_id"]))
    db.session.execute(sa.delete(Message).where(Message.id > before["max_message_id"]))
    recount_seats_taken(touched)
    db.session.commit()
    return removed.rowcount
