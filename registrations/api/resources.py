"""The API's resources: each calls the queries and services the pages call, under the same
access rules (`allow`) and agency scoping (`access.py`)."""

from flask import g
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from registrations.access import ANYONE, AUTHENTICATED, STAFF, agency_scope, allow, scoped_to_agency
from registrations.api import bp, cursors
from registrations.api import schemas as s
from registrations.enrolment import services as enrolment
from registrations.enrolment.people import PersonDetails
from registrations.enrolment.queries import get_registration_for
from registrations.enrolment.services import RegistrationError, RegistrationRequest, RequestDetails
from registrations.errors import abort_with
from registrations.extensions import db
from registrations.models import Participant, Registration, Role, TrainingSession
from registrations.sessions.queries import CatalogueFilters, apply_filters, get_session_for, upcoming_statement
from registrations.transaction import run


def _run(work, *args, **kwargs):
    """Run a service as one unit of work; its refusal becomes a problem with its status."""
    try:
        return run(work, *args, **kwargs)
    except RegistrationError as error:
        abort_with(error.status, error.message)


def _actor():
    return current_user._get_current_object()


@bp.get("/me")
@allow(AUTHENTICATED)
@bp.response(200, s.MeSchema)
def me():
    """The account the token acts for, and the token's scopes."""
    user = _actor()
    return {"id": user.id, "email": user.email, "role": user.role, "agency_id": user.agency_id,
            "display_name": user.display_name, "scopes": g.api_token.scope_list}


@bp.get("/sessions")
@allow(ANYONE)
@bp.arguments(s.SessionListArgs, location="query")
@bp.response(200, s.SessionPage)
def sessions(args):
    """Upcoming sessions, with the catalogue's filters and search (the catalogue's own query)."""
    filters = CatalogueFilters(**{name: args.get(name, "") for name in vars(CatalogueFilters())})
    statement = apply_filters(upcoming_statement(), filters)
    rows, cursor = cursors.page(statement, args, ascending=[TrainingSession.start_date, TrainingSession.id])
    return {"items": rows, "next_cursor": cursor}


@bp.get("/sessions/<int:session_id>")
@allow(ANYONE)
@bp.response(200, s.SessionDetailSchema)
def session(session_id: int):
    """A session with its days and seats left (drafts only for the office)."""
    return get_session_for(current_user, session_id, with_days=True)


@bp.get("/registrations")
@allow(Role.PARTNER, *STAFF)
@bp.arguments(s.RegistrationListArgs, location="query")
@bp.response(200, s.RegistrationPage)
def registrations(args):
    """Registrations: a partner's agency's, or every agency's for the office; newest first."""
    statement = (select(Registration).join(Registration.participant)
                 .options(contains_eager(Registration.participant)))
    statement = scoped_to_agency(statement, Registration.agency_id)
    if args.get("state"):
        statement = statement.where(Registration.state == args["state"])
    if args.get("session_id"):
        statement = statement.where(Registration.session_id == args["session_id"])
    rows, cursor = cursors.page(statement, args, descending_id=Registration.id)
    return {"items": rows, "next_cursor": cursor}


@bp.get("/registrations/<int:registration_id>")
@allow(Role.PARTNER, *STAFF)
@bp.response(200, s.RegistrationSchema)
def registration(registration_id: int):
    """One registration (404 for another agency's)."""
    return get_registration_for(current_user, registration_id)


@bp.post("/sessions/<int:session_id>/registrations")
@allow(Role.PARTNER)
@bp.arguments(s.NominationSchema)
@bp.response(201, s.RegistrationSchema)
def nominate(body, session_id: int):
    """Register oneself (`participant_id` of one's own record), nominate one of the agency's
    participants, or a new colleague (`person`): the rules of the registration pages."""
    person = body.get("person")
    if (body.get("participant_id") is None) == (person is None):
        abort_with(422, _one_person())
    details = RequestDetails(**{name: body[name] for name in ("motivation", "needs_diet", "needs_interpretation",
                                                                  "needs_accessibility")})
    wanted = RegistrationRequest(agency_id=current_user.agency_id, participant_id=body.get("participant_id"),
                                 person=PersonDetails(**person) if person else None,
                                 confirm_new=body["confirm_new"], details=details,
                                 nominated=body.get("participant_id") != current_user.participant_id)
    created = _run(enrolment.register, session_id, wanted, actor=_actor())
    return get_registration_for(current_user, created.id)


def _one_person():
    from flask_babel import gettext as _

    return _("Give either participant_id or person, not both.")


@bp.post("/registrations/<int:registration_id>/cancel")
@allow(Role.PARTNER, *STAFF)
@bp.arguments(s.CancelSchema)
@bp.response(200, s.RegistrationSchema)
def cancel(body, registration_id: int):
    """Cancel a live registration (the agency's own, or any for the office)."""
    _run(enrolment.cancel, registration_id, agency_id=agency_scope(current_user), actor=_actor(),
         reason=body["reason"])
    return get_registration_for(current_user, registration_id)


@bp.post("/sessions/<int:session_id>/decisions")
@allow(*STAFF)
@bp.arguments(s.DecisionSchema)
@bp.response(200, s.DecisionResult)
def decide(body, session_id: int):
    """Decide several registrations of a session at once: all or nothing."""
    get_session_for(current_user, session_id)
    decided = _run(enrolment.decide, session_id, body["registration_ids"], body["action"], actor=_actor(),
                   reason=body["reason"])
    ids = [r.id for r in decided]
    rows = db.session.scalars(select(Registration).join(Registration.participant)
                              .options(contains_eager(Registration.participant))
                              .where(Registration.id.in_(ids)).order_by(Registration.id))
    return {"items": list(rows)}


@bp.get("/participants")
@allow(Role.PARTNER, *STAFF)
@bp.arguments(s.PageArgs, location="query")
@bp.response(200, s.ParticipantPage)
def participants(args):
    """Participants: the partner's agency's, or every agency's for the office; newest first."""
    statement = scoped_to_agency(select(Participant).where(Participant.anonymised_at.is_(None)),
                                 Participant.agency_id)
    rows, cursor = cursors.page(statement, args, descending_id=Participant.id)
    return {"items": rows, "next_cursor": cursor}


