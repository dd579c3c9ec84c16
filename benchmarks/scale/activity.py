"""Registrations, attendance marks and certificates at scale, from the session plans."""

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from flask_babel import force_locale

from benchmarks.scale.people import People
from benchmarks.scale.sessions import SessionPlan
from registrations.certificates.facts import DEFAULT_ISSUER, country_name, verify_url
from registrations.models import AttendanceStatus, CertificateStatus, RegistrationState, SessionStatus

DECIDED = {RegistrationState.APPROVED, RegistrationState.REJECTED, RegistrationState.WAITLISTED,
           RegistrationState.CANCELLED}
REASONS = {
    RegistrationState.REJECTED: "Nombre de places atteint pour votre pays.",
    RegistrationState.CANCELLED: "Empêchement de service.",
}
#: Attendance habits: most people come every day, some miss a few.
HABITS = [
    ([AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT],
     [90, 5, 3, 2]),
    ([AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT],
     [55, 10, 10, 25]),
]


def registration_rows(rng: random.Random, plans: list[SessionPlan], people: People, first_id: int,
                      now: datetime, approved: dict[int, list]) -> Iterator[dict]:
    """Yield the registrations of the plans; fill `approved` (session id → [(registration id,
    participant id)]) for the attendance and certificate steps."""
    registration_id = first_id
    for plan in plans:
        kept = approved.setdefault(plan.id, [])
        deadline = datetime.combine(plan.start - timedelta(days=7), time(10, 0), tzinfo=timezone.utc)
        for participant_id, state in plan.entries:
            agency_id, country, *_ = people.person[participant_id]
            created = min(now, deadline - timedelta(days=rng.randint(1, 80), seconds=rng.randint(0, 86399)))
            decided = created + timedelta(days=rng.randint(1, 5)) if state in DECIDED else None
            if decided is not None and decided > now:
                decided = now
            if state == RegistrationState.APPROVED:
                kept.append((registration_id, participant_id))
            yield {
                "id": registration_id, "session_id": plan.id, "participant_id": participant_id,
                "agency_id": agency_id, "country": country, "state": state,
                "nominated": rng.random() < 0.3,
                "motivation": "Chargé de la coopération sur ce thème." if rng.random() < 0.3 else "",
                "needs_diet": "Végétarien" if rng.random() < 0.05 else "",
                "needs_interpretation": "", "needs_accessibility": "",
                "reason": REASONS.get(state, ""), "internal_note": "",
                "personal_code": f"{rng.getrandbits(40):010X}" if state == RegistrationState.APPROVED else None,
                "offer_expires_at": None, "created_by_id": None, "decided_by_id": None,
                "decided_at": decided, "created_at": created, "updated_at": decided or created,
            }
            registration_id += 1


def attendance_rows(rng: random.Random, plans: list[SessionPlan], approved: dict[int, list], first_id: int,
                    marker_id: int | None, today: date, attended: dict[int, int]) -> Iterator[dict]:
    """Yield one mark per approved registration and past session day; fill `attended`
    (registration id → days counted as attended)."""
    mark_id = first_id
    counted = {AttendanceStatus.PRESENT, AttendanceStatus.LATE}
    for plan in plans:
        if plan.status == SessionStatus.CANCELLED:
            continue
        held = plan.held_slots(today)
        if not held:
            continue
        counts = counted | {AttendanceStatus.EXCUSED} if plan.excused_counts else counted
        for registration_id, _ in approved.get(plan.id, ()):
            statuses, weights = HABITS[0] if rng.random() < 0.85 else HABITS[1]
            marks = rng.choices(statuses, weights=weights, k=len(held))
            attended[registration_id] = sum(1 for m in marks if m in counts)
            for (day_id, day), status in zip(held, marks, strict=True):
                yield {"id": mark_id, "registration_id": registration_id, "day_id": day_id, "status": status,
                       "marked_by_id": marker_id,
                       "marked_at": datetime.combine(day, time(2, rng.randint(0, 59)), tzinfo=timezone.utc)}
                mark_id += 1


def certificate_rows(rng: random.Random, plans: list[SessionPlan], approved: dict[int, list],
                     attended: dict[int, int], people: People, first_id: int, limit: int,
                     issuer_id: int | None, now: datetime) -> Iterator[dict]:
    """Yield certificates for the approved registrations that met their session's threshold,
    the most recent completed sessions first, until `limit`; ids follow the issue dates."""
    chosen: list[tuple[SessionPlan, int, int]] = []
    for plan in reversed(plans):
        if len(chosen) >= limit:
            break
        if plan.status != SessionStatus.COMPLETED or not plan.slots:
            continue
        held = len(plan.slots)
        for registration_id, participant_id in approved.get(plan.id, ()):
            if len(chosen) < limit and attended.get(registration_id, 0) * 100 >= plan.threshold * held:
                chosen.append((plan, registration_id, participant_id))
    chosen.reverse()
    labels = _Labels()
    for offset, (plan, registration_id, participant_id) in enumerate(chosen):
        certificate_id = first_id + offset
        agency_id, country, locale, latin, native, rank = people.person[participant_id]
        agency_name, agency_local = people.agency_names[agency_id]
        serial = f"{plan.prefix}-{plan.end.year}-{certificate_id:06d}"
        issued = min(now, datetime.combine(plan.end + timedelta(days=1), time(3, 0), tzinfo=timezone.utc))
        revoked = rng.random() < 0.025
        local_title = {"vi": plan.topic[2], "km": plan.topic[3], "lo": plan.topic[4]}.get(locale, plan.topic[0])
        code = f"{rng.getrandbits(128):032x}"
        yield {
            "id": certificate_id, "registration_id": registration_id, "serial": serial,
            "code": code,
            "status": CertificateStatus.REVOKED if revoked else CertificateStatus.VALID,
            "facts": {
                "locale": locale, "participant_name_latin": latin, "participant_name_native": native,
                "rank": rank, "agency_name": agency_name, "agency_name_local": agency_local,
                "session_title_fr": plan.topic[0] + plan.level[0], "session_title_local": local_title,
                "session_kind_fr": labels.kind(plan.kind, "fr"), "session_kind_local": labels.kind(plan.kind, locale),
                "city": plan.city, "country_name_fr": labels.country(plan.country, "fr"),
                "country_name_local": labels.country(plan.country, locale),
                "start_date": plan.start.isoformat(), "end_date": plan.end.isoformat(),
                "days_attended": attended.get(registration_id, 0), "days_held": len(plan.slots),
                "serial": serial, "issue_date": issued.date().isoformat(),
                "signatory_name": labels.signatory_name, "signatory_title": labels.signatory_title,
                "verify_url": verify_url(code), "issuer_name": DEFAULT_ISSUER,
                "session_id": plan.id, "registration_id": registration_id,
                "attendance_threshold": plan.threshold,
            },
            "locale": locale, "issued_at": issued, "issued_by_id": issuer_id,
            "revoked_at": min(now, issued + timedelta(days=30)) if revoked else None,
            "revoked_by_id": issuer_id if revoked else None,
            "revoke_reason": "Erreur sur le nom du participant." if revoked else "",
            "superseded_by_id": None, "pdf": None,
        }


class _Labels:
    """Translated kind and country names, computed once per (value, language)."""

    def __init__(self):
        self._kinds: dict = {}
        self._countries: dict = {}
        self.signatory_name = current_app.config["CERTIFICATE_SIGNATORY_NAME"]
        self.signatory_title = current_app.config["CERTIFICATE_SIGNATORY_TITLE"]

    def kind(self, kind, locale: str) -> str:
        if (kind, locale) not in self._kinds:
            with force_locale(locale):
                self._kinds[kind, locale] = str(kind.label)
        return self._kinds[kind, locale]

    def country(self, code: str, locale: str) -> str:
        if (code, locale) not in self._countries:
            self._countries[code, locale] = country_name(code, locale)
        return self._countries[code, locale]
