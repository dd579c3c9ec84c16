"""Training sessions at scale: ten years of dated sessions, planned with their registrations.

A session's `seats_taken` must equal its approved registrations, so the registrations of every
session are decided here, in memory, before the sessions are written.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from benchmarks.scale import vocabulary as words
from benchmarks.scale.people import People
from registrations.models import DayPart, RegistrationState, SessionKind, SessionStatus, Theme
from registrations.text import fold

#: Eligible-country lists and how often each is used.
ELIGIBILITY = [("VN,KH,LA", 60), ("", 15), ("VN,KH,LA,TH,MM", 15), ("host", 10)]
LANGUAGE_OF = {"VN": "vi", "KH": "km", "LA": "lo"}


@dataclass(slots=True)
class SessionPlan:
    id: int
    kind: SessionKind
    theme: Theme
    start: date
    base_days: int
    half_days: bool
    capacity: int
    status: SessionStatus
    city: str
    country: str
    prefix: str
    eligible: str
    future: bool
    topic: tuple
    level: tuple
    venue: str
    threshold: int
    auto_approve: bool
    quotas: dict = field(default_factory=dict)
    days: int = 1
    #: (participant id, state) of each registration, in the order they were made.
    entries: list = field(default_factory=list)
    seats_taken: int = 0
    #: (day id, date) of each session day, set when the days are written.
    slots: list = field(default_factory=list)

    @property
    def excused_counts(self) -> bool:
        """Whether an excused absence counts as attended (one session in five)."""
        return self.id % 5 == 0

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    def held_slots(self, today: date) -> list:
        """The session days already past, on which attendance is marked."""
        return [slot for slot in self.slots if slot[1] < today]


def plan_sessions(rng: random.Random, count: int, first_id: int, today: date) -> list[SessionPlan]:
    """Sessions over ten years (88 % past, 12 % in the next six months), in date order."""
    starts = sorted(
        today - timedelta(days=rng.randint(1, 3650)) if rng.random() < 0.88
        else today + timedelta(days=rng.randint(1, 180))
        for _ in range(count)
    )
    if count >= 2 and starts[-1] <= today + timedelta(days=30):
        # At least one session open for registration, whatever the size.
        starts[-1] = today + timedelta(days=rng.randint(30, 180))
    kinds = list(words.KINDS)
    kind_weights = [words.KINDS[k][0] for k in kinds]
    cities = words.CITIES
    city_weights = [c[3] for c in cities]
    plans = []
    for offset, start in enumerate(starts):
        kind = rng.choices(kinds, weights=kind_weights)[0]
        _, (cap_lo, cap_hi), (days_lo, days_hi), half_share = words.KINDS[kind]
        city, country, prefix, _ = rng.choices(cities, weights=city_weights)[0]
        theme = rng.choice(list(words.TOPICS))
        eligible = rng.choices([e for e, _ in ELIGIBILITY], weights=[w for _, w in ELIGIBILITY])[0]
        if eligible == "host":
            eligible = country if country in LANGUAGE_OF else "VN,KH,LA"
        future = start > today
        status = _status(rng, start, today, future)
        if offset == count - 1 and count >= 2 and start > today + timedelta(days=30):
            status = SessionStatus.PUBLISHED
        plan = SessionPlan(
            id=first_id + offset, kind=kind, theme=theme, start=start,
            base_days=rng.randint(days_lo, days_hi), half_days=rng.random() < half_share,
            capacity=rng.randint(cap_lo, cap_hi), status=status, city=city, country=country, prefix=prefix,
            eligible=eligible, future=future, topic=rng.choice(words.TOPICS[theme]),
            level=rng.choice(words.LEVELS), venue=rng.choice(words.VENUES),
            threshold=rng.choice([80, 80, 80, 70, 100]), auto_approve=rng.random() < 0.2,
        )
        countries = plan.eligible.split(",") if plan.eligible else []
        if len(countries) >= 2 and rng.random() < 0.12:
            plan.quotas = {c: max(1, round(plan.capacity * rng.uniform(0.3, 0.6))) for c in countries}
        plans.append(plan)
    return plans


def _status(rng: random.Random, start: date, today: date, future: bool) -> SessionStatus:
    """Future sessions are mostly published; past ones completed (a few cancelled)."""
    if not future:
        return SessionStatus.CANCELLED if rng.random() < 0.06 else SessionStatus.COMPLETED
    roll = rng.random()
    if roll < 0.12:
        return SessionStatus.DRAFT
    if roll < 0.17:
        return SessionStatus.CANCELLED
    if start - timedelta(days=7) <= today or roll > 0.95:
        return SessionStatus.CLOSED
    return SessionStatus.PUBLISHED


def allocate_registrations(rng: random.Random, plans: list[SessionPlan], people: People, total: int) -> None:
    """Share `total` registrations among the sessions by size, and decide each one's state.

    Participants are drawn without repetition within a session (one registration per person and
    session), and approvals stop at the capacity and at each country quota.
    """
    pools: dict[str, list[int]] = {}
    for plan in plans:
        if plan.eligible not in pools:
            countries = plan.eligible.split(",") if plan.eligible else list(people.by_country)
            pools[plan.eligible] = [pid for c in countries for pid in people.by_country.get(c, [])]
    open_plans = [p for p in plans if p.status != SessionStatus.DRAFT and pools[p.eligible]]
    weights = [p.capacity * (0.5 if p.future else 1.0) * rng.uniform(0.6, 1.6) for p in open_plans]
    counts = _share(total, weights, [len(pools[p.eligible]) for p in open_plans])
    for plan, wanted in zip(open_plans, counts, strict=True):
        _decide(rng, plan, rng.sample(pools[plan.eligible], wanted), people)


def _share(total: int, weights: list[float], limits: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainders first), each at most its limit."""
    if not weights:
        return []
    exact = [total * w / sum(weights) for w in weights]
    counts = [min(int(x), cap) for x, cap in zip(exact, limits, strict=True)]
    order = sorted(range(len(weights)), key=lambda i: int(exact[i]) - exact[i])
    left = total - sum(counts)
    while left > 0:
        before = left
        for i in order:
            if left and counts[i] < limits[i]:
                counts[i] += 1
                left -= 1
        if left == before:
            break
    return counts


def _decide(rng: random.Random, plan: SessionPlan, picks: list[int], people: People) -> None:
    S = RegistrationState
    if plan.status == SessionStatus.CANCELLED:
        plan.entries = [(pid, S.CANCELLED) for pid in picks]
        return
    share = rng.uniform(0.2, 0.6) if plan.future and not plan.auto_approve else rng.uniform(0.55, 0.9)
    target = min(plan.capacity, round(len(picks) * share) if not plan.auto_approve else plan.capacity)
    by_country: dict[str, int] = {}
    approved = 0
    for pid in picks:
        country = people.person[pid][1]
        quota = plan.quotas.get(country)
        fits = approved < target and (quota is None or by_country.get(country, 0) < quota)
        if fits and rng.random() < 0.97:
            state = S.APPROVED
            approved += 1
            by_country[country] = by_country.get(country, 0) + 1
        elif plan.future and plan.status == SessionStatus.PUBLISHED:
            state = rng.choices([S.PENDING, S.WAITLISTED, S.CANCELLED, S.REJECTED], weights=[70, 15, 10, 5])[0]
            if state == S.PENDING and plan.auto_approve:
                state = S.WAITLISTED
        else:
            state = rng.choices([S.REJECTED, S.CANCELLED, S.WAITLISTED], weights=[50, 40, 10])[0]
        plan.entries.append((pid, state))
    plan.seats_taken = approved


def fit_days(plans: list[SessionPlan], attendance: int, today: date) -> None:
    """Choose each session's length so that the past approved registrations need about
    `attendance` marks in all (one per registration and past session day)."""
    needed = sum(
        p.seats_taken * p.base_days * (2 if p.half_days else 1)
        for p in plans if not p.future and p.status != SessionStatus.CANCELLED
    )
    factor = attendance / needed if needed else 1.0
    for plan in plans:
        plan.days = min(20, max(1, round(plan.base_days * factor)))
        if not plan.future and plan.status == SessionStatus.COMPLETED and plan.end >= today:
            plan.status = SessionStatus.CLOSED  # still running


def session_rows(plans: list[SessionPlan], organiser_id: int | None, now: datetime):
    """Yield the training_session rows of the plans."""
    for plan in plans:
        fr, en, vi, km, lo = plan.topic
        title_fr, title_en = fr + plan.level[0], en + plan.level[1]
        deadline = datetime.combine(plan.start - timedelta(days=7), time(10, 0), tzinfo=timezone.utc)
        created = min(now, deadline - timedelta(days=120))
        languages = [LANGUAGE_OF[c] for c in plan.eligible.split(",") if c in LANGUAGE_OF]
        yield {
            "id": plan.id, "title_fr": title_fr, "title_en": title_en, "title_vi": vi, "title_km": km, "title_lo": lo,
            "description_fr": f"{plan.kind.value.replace('_', ' ').capitalize()} à {plan.city}, {plan.venue}.",
            "description_en": "", "description_vi": "", "description_km": "", "description_lo": "",
            "kind": plan.kind, "theme": plan.theme, "city": plan.city, "country": plan.country,
            "venue": plan.venue, "start_date": plan.start, "end_date": plan.end,
            "working_language": "fr" if plan.id % 4 else "en", "interpretation": ",".join(languages),
            "capacity": plan.capacity, "seats_taken": plan.seats_taken,
            "registration_opens_at": deadline - timedelta(days=90), "registration_deadline": deadline,
            "eligible_countries": plan.eligible, "attendance_threshold": plan.threshold,
            "excused_counts_as_attended": plan.excused_counts, "auto_approve": plan.auto_approve,
            "confirm_promotions": plan.id % 7 == 0, "offer_hours": 72, "status": plan.status,
            "cancel_reason": "Annulée à la demande du pays hôte." if plan.status == SessionStatus.CANCELLED else "",
            "search_text": fold(" ".join([title_fr, title_en, vi, km, lo, plan.city, plan.venue])),
            "serial_prefix": plan.prefix, "duplicated_from_id": None, "created_by_id": organiser_id,
            "created_at": created, "updated_at": created,
        }


def day_rows(plans: list[SessionPlan], first_id: int):
    """Yield the session_day rows (two half-days per date where the session has them)."""
    day_id = first_id
    for plan in plans:
        parts = (DayPart.MORNING, DayPart.AFTERNOON) if plan.half_days else (DayPart.FULL,)
        plan.slots = []
        for n in range(plan.days):
            day = plan.start + timedelta(days=n)
            for part in parts:
                plan.slots.append((day_id, day))
                yield {"id": day_id, "session_id": plan.id, "date": day, "part": part,
                       "programme": f"Module {n + 1}"}
                day_id += 1


def quota_rows(plans: list[SessionPlan], first_id: int):
    """Yield the session_quota rows (seats per country)."""
    quota_id = first_id
    for plan in plans:
        for country, seats in plan.quotas.items():
            yield {"id": quota_id, "session_id": plan.id, "agency_id": None, "country": country, "seats": seats}
            quota_id += 1
