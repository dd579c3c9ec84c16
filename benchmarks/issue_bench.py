"""Time `issue_all` for a session of N approved participants (Vietnamese, Khmer and Lao).

Usage: python benchmarks/issue_bench.py [-n 40] [--runs 3]

Works on a throw-away SQLite database created through the migrations. Fonts are cut once
before timing, as in a worker that has already served a certificate.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from registrations import transaction  # noqa: E402
from registrations.certificates import rendering  # noqa: E402
from registrations.certificates.rendering import warm_up  # noqa: E402
from registrations.certificates.services import issue_all  # noqa: E402
from registrations.documents import render_certificate  # noqa: E402
from registrations.documents.examples import example_certificate  # noqa: E402
from registrations.extensions import db  # noqa: E402
from registrations.models import (  # noqa: E402
    Agency,
    Attendance,
    AttendanceStatus,
    Participant,
    Registration,
    RegistrationState,
    SessionDay,
    SessionKind,
    SessionStatus,
    Theme,
    TrainingSession,
)

PEOPLE = {"VN": ("vi", "Nguyễn Thị Hương"), "KH": ("km", "ស្រី ពេជ្រ"), "LA": ("lo", "ເຂົ້າໜຽວ")}


def make_session(run: int, size: int) -> int:
    """An ended session of `size` approved participants present every day; returns its id."""
    agencies = {c: Agency(code=f"{c}-BENCH-{run}", name=f"Agence {c}", name_local=f"Agence {c}", country=c)
                for c in PEOPLE}
    db.session.add_all(agencies.values())
    start = date.today() - timedelta(days=20)
    session = TrainingSession(title_fr=f"Session {run}", title_vi="Quản lý hiện trường vụ án",
                              title_km="ការគ្រប់គ្រងកន្លែងកើតហេតុ", title_lo="ການຄຸ້ມຄອງສະຖານທີ່ເກີດເຫດ",
                              kind=SessionKind.COURSE, theme=Theme.DRUGS, city="Hà Nội", country="VN",
                              capacity=size, start_date=start, end_date=start + timedelta(days=4),
                              status=SessionStatus.COMPLETED, serial_prefix=f"B{run}")
    db.session.add(session)
    db.session.flush()
    days = [SessionDay(session_id=session.id, date=start + timedelta(days=i)) for i in range(5)]
    db.session.add_all(days)
    db.session.flush()
    for i in range(size):
        country = list(PEOPLE)[i % 3]
        locale, native = PEOPLE[country]
        participant = Participant(agency_id=agencies[country].id, name_latin=f"Person {i}",
                                  name_native=f"{native} {i}", locale=locale, rank="Major")
        db.session.add(participant)
        db.session.flush()
        registration = Registration(session_id=session.id, participant_id=participant.id,
                                    agency_id=agencies[country].id, country=country,
                                    state=RegistrationState.APPROVED)
        db.session.add(registration)
        db.session.flush()
        db.session.add_all(Attendance(registration_id=registration.id, day_id=day.id,
                                      status=AttendanceStatus.PRESENT) for day in days)
    db.session.commit()
    return session.id


def _cpu_of_workers() -> dict[int, float]:
    """CPU seconds used so far by each rendering process (Linux /proc)."""
    if rendering._pool is None:
        return {}
    ticks = os.sysconf("SC_CLK_TCK")
    result = {}
    for pid in list(rendering._pool._processes):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        result[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        for locale in ("vi", "km", "lo"):
            render_certificate(example_certificate(locale))
        # As when the organiser opens the session's certificates page: rendering processes start.
        warm_up()
        if rendering._pool is not None:
            for future in [rendering._pool.submit(rendering._warm_worker) for _ in range(8)]:
                future.result()
        for run in range(args.runs):
            session_id = make_session(run, args.n)
            workers = _cpu_of_workers()
            start, cpu = time.perf_counter(), time.process_time()
            created = transaction.run(issue_all, session_id)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
            workers = [after - workers.get(pid, 0.0) for pid, after in _cpu_of_workers().items()]
            # On a busy machine wall time includes waiting for other programs; the CPU time of
            # this process plus that of the busiest rendering process is what an idle machine
            # with enough cores needs.
            print(f"run {run + 1}: {len(created)} certificates in {elapsed:.2f} s wall; CPU {cpu:.2f} s here + "
                  f"{', '.join(f'{w:.2f}' for w in workers) or 'no'} s in rendering processes "
                  f"(idle estimate {cpu + max(workers, default=0):.2f} s; load average "
                  f"{os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
