"""The seat rules in any order: a hypothesis state machine over the registration services.

Each example builds a published session (capacity, automatic approval, confirmation of
promotions and a Khmer quota drawn at random) and seven officers of two agencies, then runs
up to twenty actions — register, nominate, decide, cancel, accept or decline an offer, reorder
the waiting list, let
time pass so offers expire, change the capacity or the quota — each as one unit of work, as
the views run them. After every step it checks, from the rows:

- approved registrations never exceed the capacity, nor do they with the seats held by open
  offers unless an organiser cut the capacity below them (which the rules allow);
- no country holds more seats than its quota;
- `seats_taken` equals the approved registrations (the README's definition; offers are held
  beside it and counted against the capacity above);
- the waiting list is served in its order (organisers move people up or down, or put one per
  agency first): when the rules give a seat (or an offer) to someone waiting, nobody ahead of
  them on the list who fitted the quotas is still waiting; every waiting person has one place.

It runs on whichever database the suite uses (SQLite, or PostgreSQL with TEST_DATABASE_URL).
"""

from contextlib import suppress
from datetime import date, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from registrations.enrolment import receivers, services, waitlist
from registrations.enrolment.errors import RegistrationError
from registrations.enrolment.services import ACTIONS, RegistrationRequest
from registrations.extensions import db
from registrations.models import Registration, SessionQuota, TrainingSession, utcnow
from registrations.models import RegistrationState as S
from registrations.sessions import services as session_services
from registrations.sessions.base import SessionError
from registrations.sessions.services import EDITABLE_FIELDS, QuotaSpec
from registrations.transaction import run

SETTINGS = settings(max_examples=50, stateful_step_count=20, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _seat_rules_machine(make_session, make_agency, make_participant, clock):
    class SeatRules(RuleBasedStateMachine):
        @initialize(capacity=st.integers(1, 3), auto_approve=st.booleans(), confirm=st.booleans(),
                    quota=st.none() | st.integers(0, 2), crowd=st.permutations(range(7)), early=st.integers(0, 7))
        def open_session(self, capacity, auto_approve, confirm, quota, crowd, early):
            """The session, its officers, and the first `early` of them (in `crowd` order) registered."""
            clock["now"] = utcnow()
            self.capacity_cut_under_offers = False
            session = make_session(capacity=capacity, auto_approve=auto_approve, confirm_promotions=confirm,
                                   offer_hours=24, start=date.today() + timedelta(days=120))
            self.session_id = session.id
            if quota is not None:
                db.session.add(SessionQuota(session_id=session.id, country="KH", seats=quota))
                db.session.commit()
            vn, kh = make_agency("VN"), make_agency("KH")
            self.people = [(p.id, p.agency_id) for p in
                           [make_participant(kh) for _ in range(3)] + [make_participant(vn) for _ in range(4)]]
            for person in crowd[:early]:
                self.register(person, nominated=False)

        # ------------------------------------------------------------ helpers

        def _rows(self) -> dict[int, tuple]:
            """id → (state, offer open now, country) of the session's registrations."""
            now = clock["now"]
            return {r.id: (r.state, r.offer_expires_at is not None and r.offer_expires_at > now, r.country)
                    for r in db.session.scalars(select(Registration).where(
                        Registration.session_id == self.session_id).order_by(Registration.id))}

        def _quota(self) -> int | None:
            return db.session.scalar(select(SessionQuota.seats).where(SessionQuota.session_id == self.session_id))

        def _step(self, work, *args, targets=(), **kwargs) -> None:
            """Run one action as a unit of work (a refusal is an answer too), then check that
            the people it promoted from the waiting list were the first who fitted."""
            before = self._rows()
            queue = [r.id for r in waitlist.waiting(self.session_id)]  # the serving order before the step
            with suppress(RegistrationError, SessionError):
                run(work, *args, **kwargs)
            db.session.expire_all()
            after = self._rows()
            waiting_before = {i for i, (state, offered, _) in before.items() if state == S.WAITLISTED and not offered}
            promoted = [i for i in waiting_before - set(targets)
                        if after[i][0] == S.APPROVED or (after[i][0] == S.WAITLISTED and after[i][1])]
            quota = self._quota()
            kh_held = sum(1 for state, offered, country in after.values()
                          if country == "KH" and (state == S.APPROVED or offered))
            for promoted_id in promoted:
                for earlier in [i for i in queue if i in waiting_before]:
                    state, offered, country = after[earlier]
                    if queue.index(earlier) >= queue.index(promoted_id) or state != S.WAITLISTED or offered:
                        continue
                    fits = country != "KH" or quota is None or kh_held < quota
                    assert not fits, f"registration {promoted_id} was served before {earlier}, who fitted"

        def _pick(self, index: int, live: bool = False, offered: bool = False) -> int | None:
            """One of the session's registrations (only live ones, or only those offered a seat)."""
            ids = sorted(i for i, (state, open_offer, _) in self._rows().items()
                         if (not live or state in (S.PENDING, S.APPROVED, S.WAITLISTED))
                         and (not offered or (state == S.WAITLISTED and open_offer)))
            return ids[index % len(ids)] if ids else None

        # ------------------------------------------------------------ actions

        @rule(person=st.integers(0, 6), nominated=st.booleans())
        def register(self, person, nominated):
            participant_id, agency_id = self.people[person]
            self._step(services.register, self.session_id,
                       RegistrationRequest(agency_id=agency_id, participant_id=participant_id, nominated=nominated),
                       now=clock["now"])

        @rule(action=st.sampled_from(sorted(ACTIONS)), index=st.integers(0, 20))
        def decide(self, action, index):
            registration_id = self._pick(index, live=True)
            if registration_id is not None:
                self._step(services.decide, self.session_id, [registration_id], action,
                           reason="Motif" if action == "reject" else "", now=clock["now"], targets=[registration_id])

        @rule(index=st.integers(0, 20))
        def cancel(self, index):
            registration_id = self._pick(index, live=True)
            if registration_id is not None:
                self._step(services.cancel, registration_id, agency_id=None, now=clock["now"],
                           targets=[registration_id])

        @rule(index=st.integers(0, 20))
        def accept_offer(self, index):
            registration_id = self._pick(index, offered=True)
            if registration_id is not None:
                self._step(services.accept_offer, registration_id, agency_id=None, now=clock["now"],
                           targets=[registration_id])

        @rule(index=st.integers(0, 20))
        def decline_offer(self, index):
            registration_id = self._pick(index, offered=True)
            if registration_id is not None:
                self._step(services.decline_offer, registration_id, agency_id=None, now=clock["now"],
                           targets=[registration_id])

        @rule(hours=st.integers(1, 30))
        def time_passes_and_offers_expire(self, hours):
            clock["now"] += timedelta(hours=hours)
            self._step(services.expire_offers, self.session_id, now=clock["now"])

        def _update(self, capacity=None, kh_quota=...):
            session = db.session.get(TrainingSession, self.session_id)
            values = {name: getattr(session, name) for name in EDITABLE_FIELDS}
            if capacity is not None:
                values["capacity"] = capacity
            quota = self._quota() if kh_quota is ... else kh_quota
            quotas = [] if quota is None else [QuotaSpec(quota, country="KH")]
            self._step(session_services.update_session, self.session_id, values, quotas)

        @rule(index=st.integers(0, 20), direction=st.sampled_from(["up", "down"]))
        def reorder_the_waiting_list(self, index, direction):
            waiting = [r.id for r in waitlist.waiting(self.session_id)]
            if waiting:
                self._step(waitlist.move, self.session_id, waiting[index % len(waiting)], direction)

        @rule()
        def one_per_agency_first(self):
            self._step(waitlist.one_per_agency_first, self.session_id)

        @rule(capacity=st.integers(1, 5))
        def change_capacity(self, capacity):
            # The capacity may be cut below the seats taken plus those held by open offers (never
            # below the seats taken): an offered seat then cannot be accepted until one frees.
            held = sum(1 for state, offered, _ in self._rows().values() if state == S.APPROVED or offered)
            self.capacity_cut_under_offers |= capacity < held
            self._update(capacity=capacity)

        @rule(extra=st.none() | st.integers(0, 2))
        def change_quota(self, extra):
            # A quota is never set below the seats the country already holds (as the capacity
            # never drops below the seats taken): tightening below that is not a seat rule.
            held = sum(1 for state, offered, country in self._rows().values()
                       if country == "KH" and (state == S.APPROVED or offered))
            self._update(kh_quota=None if extra is None else held + extra)

        # ------------------------------------------------------------ invariants

        @invariant()
        def seats_within_capacity_and_counted(self):
            if not hasattr(self, "session_id"):
                return
            session = db.session.get(TrainingSession, self.session_id)
            rows = self._rows().values()
            approved = sum(1 for state, _, _ in rows if state == S.APPROVED)
            offered = sum(1 for state, open_offer, _ in rows if state == S.WAITLISTED and open_offer)
            assert session.seats_taken == approved
            assert approved <= session.capacity
            if not self.capacity_cut_under_offers:
                assert approved + offered <= session.capacity

        @invariant()
        def quotas_respected(self):
            if not hasattr(self, "session_id"):
                return
            quota = self._quota()
            if quota is not None:
                held = sum(1 for state, offered, country in self._rows().values()
                           if country == "KH" and (state == S.APPROVED or offered))
                assert held <= quota

        @invariant()
        def waiting_list_has_one_order(self):
            if not hasattr(self, "session_id"):
                return
            ranks = [r.waitlist_rank for r in waitlist.waiting(self.session_id)]
            assert None not in ranks and len(set(ranks)) == len(ranks)

        @invariant()
        def one_live_registration_per_person(self):
            if not hasattr(self, "session_id"):
                return
            live = db.session.execute(
                select(Registration.participant_id, func.count()).where(
                    Registration.session_id == self.session_id, Registration.state.in_([S.PENDING, S.APPROVED,
                                                                                        S.WAITLISTED]))
                .group_by(Registration.participant_id).having(func.count() > 1)).all()
            assert live == []

    return SeatRules


def test_seat_rules_hold_in_any_order(app, make_session, make_agency, make_participant, monkeypatch):
    clock = {"now": utcnow()}
    # Receivers (capacity raised, quota loosened) read the time themselves: give them the same clock.
    monkeypatch.setattr(receivers, "utcnow", lambda: clock["now"])
    machine = _seat_rules_machine(make_session, make_agency, make_participant, clock)
    run_state_machine_as_test(machine, settings=SETTINGS)
