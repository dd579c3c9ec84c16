"""The pages measured at scale, found by endpoint name, with real ids from the database.

The benchmark (`benchmarks/run.py`) and the query-budget tests share this list. A page whose
endpoint does not exist in this build is reported as not available, so that pages built on
other branches are picked up as soon as they are merged.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask, url_for

from benchmarks.scale.generate import ORGANISER_EMAIL, PARTNER_EMAIL
from registrations.access import ANYONE, AUTHENTICATED, access_rule
from registrations.extensions import db
from registrations.models import (
    Certificate,
    CertificateStatus,
    Registration,
    RegistrationState,
    Role,
    SessionDay,
    SessionStatus,
    TrainingSession,
    User,
)

#: Targets on the scale data: (least share of the hello app's requests/s, p99 ceiling in ms).
TARGETS = {
    "page": (0.25, 50.0),
    "list": (0.15, 100.0),
    "download": (0.15, None),
    "post": (0.10, None),
}


@dataclass(frozen=True)
class Page:
    """One measured page: its endpoint, who asks for it, and which ids it needs."""

    key: str
    endpoint: str
    label: str
    #: Key of TARGETS, or None for pages measured without a target.
    target: str | None
    #: Preferred roles, the first one the view allows is used ("anonymous", "partner", "organiser").
    who: tuple = ("anonymous",)
    #: Which object the page is about: see `pick_ids`.
    subject: str = "none"
    method: str = "GET"
    #: Ids passed as query parameters rather than path arguments when the rule does not take them.
    query: tuple = field(default=())


PAGES = [
    Page("home", "main.index", "Home page", None),
    Page("healthz", "main.healthz", "Health check", None),
    Page("login", "auth.login", "Login form", None),
    Page("catalogue", "sessions.catalogue", "Session catalogue", "page"),
    Page("session", "sessions.detail", "Session page", "page", subject="published_session"),
    Page("partner_list", "registrations.agency_list", "Partner's registrations", "list", ("partner",)),
    Page("organiser_list", "registrations.session_list", "Organiser's registrations of a session", "list",
         ("organiser",), subject="busy_session"),
    Page("attendance_sheet", "attendance.sheet", "Attendance sheet", "list", ("organiser",),
         subject="past_session"),
    Page("verify", "certificates.verify", "Certificate verification", "list", subject="certificate",
         query=("code",)),
    Page("certificate_download", "certificates.download", "Certificate download (stored PDF)", "download",
         ("partner", "organiser"), subject="certificate"),
]
#: State-changing requests, measured with prepared form posts (first existing one is used).
POSTS = [
    Page("register", "registrations.register", "Registration (POST)", "post", ("partner",),
         subject="open_session", method="POST"),
    Page("nominate", "registrations.nominate", "Nomination (POST)", "post", ("partner",),
         subject="open_session", method="POST"),
]
ZIP = Page("certificate_zip", "certificates.session_zip", "ZIP of a session's certificates", None,
           ("organiser",), subject="certificate_session")


def exists(app: Flask, page: Page) -> bool:
    return page.endpoint in app.view_functions


def roles_for(app: Flask, page: Page) -> list[str]:
    """The roles to measure the page as, best first: anonymous for public pages, else the
    preferred roles that the view's declared rule allows (the organiser as a last resort)."""
    rule = access_rule(app, page.endpoint) or frozenset()
    if ANYONE in rule:
        return ["anonymous"]
    names = {Role.PARTNER: "partner", Role.ORGANISER: "organiser", Role.ADMIN: "organiser"}
    allowed = {names[r] for r in rule if r in names}
    roles = [role for role in page.who if role in allowed or AUTHENTICATED in rule]
    return roles + [r for r in ("organiser",) if r not in roles and (r in allowed or not roles)]


def role_for(app: Flask, page: Page) -> str:
    return roles_for(app, page)[0]


@dataclass
class Planned:
    """How a page is requested: as whom, with which ids, at which URL (None: no data for it)."""

    role: str
    user: User | None
    ids: dict
    url: str | None
    missing: list


def plan(app: Flask, page: Page) -> Planned:
    """The first allowed role for which the data has what the page needs."""
    planned = None
    for role in roles_for(app, page):
        user = account(role)
        ids = pick_ids(page.subject, user)
        url = build_url(app, page, ids)
        planned = planned or Planned(role, user, ids, url, missing_arguments(app, page, ids) if url is None else [])
        if url is not None:
            return Planned(role, user, ids, url, [])
    return planned


def account(role: str) -> User | None:
    """The generated account used for a role (the first partner: Vietnam)."""
    email = {"partner": PARTNER_EMAIL.format(n=1), "organiser": ORGANISER_EMAIL}.get(role)
    return db.session.scalar(sa.select(User).where(User.email == email)) if email else None


def pick_ids(subject: str, user: User | None) -> dict:
    """Real ids for a page about `subject`, seen by `user` (a partner sees their agency's)."""
    q = db.session
    ids: dict = {}
    if user is not None and user.agency_id:
        ids["agency_id"] = user.agency_id
    if user is not None and user.participant_id:
        ids["participant_id"] = user.participant_id
    session_id = None
    if subject in ("published_session", "open_session"):
        session_id = q.scalar(sa.select(TrainingSession.id).where(TrainingSession.status == SessionStatus.PUBLISHED)
                              .order_by(TrainingSession.seats_taken.desc(), TrainingSession.id).limit(1))
    elif subject == "busy_session":
        session_id = q.scalar(sa.select(Registration.session_id).group_by(Registration.session_id)
                              .order_by(sa.func.count().desc(), Registration.session_id).limit(1))
    elif subject == "past_session":
        session_id = q.scalar(sa.select(TrainingSession.id).where(TrainingSession.status == SessionStatus.COMPLETED)
                              .order_by(TrainingSession.seats_taken.desc(), TrainingSession.id).limit(1))
    elif subject in ("certificate", "certificate_session"):
        query = (sa.select(Certificate.id, Certificate.code, Certificate.serial, Registration.session_id,
                           Registration.id)
                 .join(Registration, Registration.id == Certificate.registration_id)
                 .where(Certificate.status == CertificateStatus.VALID))
        if user is not None and user.role == Role.PARTNER:
            query = query.where(Registration.agency_id == user.agency_id)
        if subject == "certificate_session":
            # The session with the most certificates, e.g. a 200-certificate ZIP.
            counts = (sa.select(Registration.session_id, sa.func.count().label("n"))
                      .join(Certificate, Certificate.registration_id == Registration.id)
                      .group_by(Registration.session_id).order_by(sa.text("n DESC"), Registration.session_id))
            row = q.execute(counts.limit(1)).first()
            if row:
                ids.update(session_id=row[0], certificates=row[1])
            return ids
        row = q.execute(query.order_by(Certificate.id.desc()).limit(1)).first()
        if row:
            ids.update(certificate_id=row[0], code=row[1], serial=row[2], session_id=row[3], registration_id=row[4])
        return ids
    if session_id is not None:
        ids["session_id"] = session_id
        day = q.execute(sa.select(SessionDay.id, SessionDay.date).where(SessionDay.session_id == session_id)
                        .order_by(SessionDay.date, SessionDay.id).limit(1)).first()
        if day:
            ids.update(day_id=day[0], date=day[1].isoformat())
        registration = sa.select(Registration.id).where(Registration.session_id == session_id,
                                                        Registration.state == RegistrationState.APPROVED)
        if user is not None and user.role == Role.PARTNER:
            registration = registration.where(Registration.agency_id == user.agency_id)
        ids["registration_id"] = q.scalar(registration.order_by(Registration.id).limit(1))
    elif user is not None and user.role == Role.PARTNER:
        ids["registration_id"] = q.scalar(sa.select(Registration.id).where(Registration.agency_id == user.agency_id)
                                          .order_by(Registration.id.desc()).limit(1))
    return _with_aliases(subject, {k: v for k, v in ids.items() if v is not None})


def _with_aliases(subject: str, ids: dict) -> dict:
    """Other names a route may give the same ids (`<int:id>`, `<code>`…)."""
    main = "certificate_id" if subject == "certificate" else "session_id"
    if main in ids:
        ids.setdefault("id", ids[main])
    if "code" in ids:
        ids.setdefault("verification_code", ids["code"])
        ids.setdefault("certificate_code", ids["code"])
    if "day_id" in ids:
        ids.setdefault("session_day_id", ids["day_id"])
    return ids


def build_url(app: Flask, page: Page, ids: dict) -> str | None:
    """The page's URL with real ids, or None when a path argument has no known value."""
    rule = next((r for r in app.url_map.iter_rules(page.endpoint) if page.method in (r.methods or ())), None)
    if rule is None:
        return None
    values = {}
    for name in rule.arguments:
        if name not in ids:
            return None
        values[name] = ids[name]
    values.update({k: ids[k] for k in page.query if k in ids and k not in values})
    with app.test_request_context():
        return url_for(page.endpoint, **values)


def missing_arguments(app: Flask, page: Page, ids: dict) -> list[str]:
    """The path arguments of the page that `ids` cannot fill (to explain a skip)."""
    rule = next((r for r in app.url_map.iter_rules(page.endpoint) if page.method in (r.methods or ())), None)
    return sorted(a for a in rule.arguments if a not in ids) if rule else [f"no {page.method} rule"]
