"""Fault tests: two instances started by `scripts/cluster` on a private PostgreSQL and a private
Redis (the shared servers are never stopped). Select them with `-m cluster`."""

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.ops.http import Browser
from tests.ops.servers import PrivateRedis, free_port

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "cooperation-2026"  # the demo accounts' (README)
PARTNER = "partner.vn@demo.test"


class Cluster:
    def __init__(self, folder: Path, database_url: str, redis: PrivateRedis):
        self.folder, self.database_url, self.redis = folder, database_url, redis
        self.ports = (free_port(), free_port())
        self.env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis.url,
                    "VENV_BIN": str(Path(sys.executable).parent), "CLUSTER_DIR": str(folder),
                    "CLUSTER_PORT_1": str(self.ports[0]), "CLUSTER_PORT_2": str(self.ports[1]),
                    "APP_ENV": "production", "WEB_WORKERS": "2", "MAIL_BACKEND": "console"}
        for name in ("SECRET_KEY", "TEST_DATABASE_URL", "RATELIMIT_STORAGE_URI"):
            self.env.pop(name, None)

    def script(self, command: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(ROOT / "scripts" / "cluster"), command], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=120)

    @property
    def urls(self) -> tuple[str, str]:
        return tuple(f"http://127.0.0.1:{port}" for port in self.ports)

    def engine(self) -> sa.Engine:
        return sa.create_engine(self.database_url)

    def worker_pids(self, name: str = "web1") -> list[int]:
        master = int((self.folder / f"{name}.pid").read_text())
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return [int(pid) for pid in children]


@pytest.fixture(scope="module")
def cluster(private_postgres, tmp_path_factory):
    redis = PrivateRedis()
    redis.start()
    running = Cluster(tmp_path_factory.mktemp("cluster"), private_postgres.create_database("cluster"), redis)
    started = running.script("start")
    assert started.returncode == 0, started.stdout + started.stderr
    yield running
    stopped = running.script("stop")
    redis.stop()
    assert stopped.returncode == 0, stopped.stderr
    assert not list(running.folder.glob("*.pid"))


def _open_session(cluster: Cluster, capacity: int, title: str) -> int:
    """A published session open for registration, approving automatically, for Vietnam (written
    through the models, as the site would: the page version goes up with it)."""
    from app import create_app
    from registrations.extensions import db
    from registrations.models import SessionDay, SessionKind, SessionStatus, Theme, TrainingSession

    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": cluster.database_url})
    start = date.today() + timedelta(days=60)
    with app.app_context():
        session = TrainingSession(title_fr=title, kind=SessionKind.COURSE, theme=Theme.DRUGS, city="Hà Nội",
                                  country="VN", start_date=start, end_date=start, capacity=capacity,
                                  eligible_countries="VN,KH,LA", status=SessionStatus.PUBLISHED, auto_approve=True,
                                  serial_prefix="HAN", search_text=title.lower(),
                                  registration_deadline=datetime.now(timezone.utc) + timedelta(days=30))
        session.days = [SessionDay(date=start)]
        db.session.add(session)
        db.session.commit()
        session_id = session.id
        db.session.remove()
        db.engine.dispose()
    return session_id


def _nominee(n: int) -> dict:
    # Names are written in letters only: the number becomes letters (3 → "Thu d").
    suffix = "".join(chr(ord("a") + int(digit)) for digit in str(n))
    return {"participant_id": "", "name_latin": f"Nguyen Van Thu {suffix}", "name_native": "", "rank": "Đại úy",
            "unit": "Phòng Đào tạo", "email": f"thu.{n}@example.test", "phone": "", "languages": "",
            "locale": "vi", "needs_diet": "", "needs_interpretation": "", "needs_accessibility": "",
            "motivation": "", "confirm_new": "y"}


def test_a_login_on_one_instance_continues_on_the_other(cluster):
    one, two = cluster.urls
    browser = Browser()
    assert browser.login(one, PARTNER, PASSWORD).status == 302
    page = browser.get(two + "/registrations")
    assert page.status == 200 and 'data-testid="whoami"' in page.text
    assert browser.get(two + "/account/logins").text.count('data-testid="login"') >= 1


def test_logging_out_on_one_instance_ends_the_login_on_the_other(cluster):
    one, two = cluster.urls
    browser = Browser()
    browser.login(one, PARTNER, PASSWORD)
    copy = browser.copy()
    assert copy.get(two + "/registrations").status == 200
    assert browser.post(two + "/logout").status == 302
    for base in (one, two):
        answer = copy.get(base + "/registrations")
        assert answer.status == 302 and "/login" in answer.headers["Location"]


def test_a_registration_on_one_instance_shows_on_the_other_at_once(cluster):
    one, two = cluster.urls
    session_id = _open_session(cluster, 40, "Analyse des réseaux")
    visitor = Browser()
    for base in (one, two):  # both instances keep the page (in the shared cache)
        assert "40 places restantes sur 40" in visitor.get(f"{base}/sessions/{session_id}").text
    partner = Browser()
    partner.login(two, PARTNER, PASSWORD)
    partner.get(f"{two}/sessions/{session_id}/nominate")
    answer = partner.post(f"{two}/sessions/{session_id}/nominate", _nominee(0))
    assert answer.status == 302, answer.text[:300]
    for base in (one, two):
        assert "39 places restantes sur 40" in visitor.get(f"{base}/sessions/{session_id}").text


def test_a_worker_killed_during_50_registrations_loses_and_half_writes_nothing(cluster):
    one, two = cluster.urls
    session_id = _open_session(cluster, 30, "Course aux places")
    partner = Browser()
    partner.login(one, PARTNER, PASSWORD)
    partner.get(f"{one}/sessions/{session_id}/nominate")
    victims = cluster.worker_pids("web1")
    assert victims

    def nominate(n: int) -> tuple[int, int]:
        base = (one, two)[n % 2]
        try:
            return n, partner.post(f"{base}/sessions/{session_id}/nominate", _nominee(n), timeout=30).status
        except OSError:  # the connection died with the worker
            return n, 0

    with ThreadPoolExecutor(max_workers=25) as pool:
        futures = [pool.submit(nominate, n) for n in range(1, 51)]
        time.sleep(0.3)
        os.kill(victims[0], 9)
        results = dict(future.result() for future in futures)
    assert 500 not in results.values()
    succeeded = {n for n, status in results.items() if status == 302}
    assert len(succeeded) >= 25

    engine = cluster.engine()
    with engine.connect() as connection:
        seats_taken, capacity = connection.execute(sa.text(
            "SELECT seats_taken, capacity FROM training_session WHERE id = :id"), {"id": session_id}).one()
        rows = connection.execute(sa.text(
            "SELECT r.id, r.state, p.email FROM registration r JOIN participant p ON p.id = r.participant_id "
            "WHERE r.session_id = :id"), {"id": session_id}).all()
        audited = set(connection.execute(sa.text(
            "SELECT object_id FROM audit_event WHERE action = 'registration.state' AND object_type = 'registration' "
            "AND object_id = ANY(:ids)"), {"ids": [row.id for row in rows]}).scalars())
    engine.dispose()
    approved = [row for row in rows if row.state == "approved"]
    assert seats_taken == len(approved) <= capacity
    assert {row.id for row in rows} == audited  # every registration written is audited
    emails = {row.email for row in rows}
    assert {f"thu.{n}@example.test" for n in succeeded} <= emails  # nothing answered is lost
    assert len(emails) == len(rows)  # and nothing is written twice
    # The killed worker was replaced: the instance serves again.
    assert Browser().get(one + "/healthz").status == 200
    assert victims[0] not in cluster.worker_pids("web1")


class Load:
    """Background readers of both instances, recording every status they get."""

    def __init__(self, urls):
        self.urls, self.statuses, self.stop = urls, [], threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(url,), daemon=True) for url in urls]

    def run(self, base: str) -> None:
        browser = Browser()
        while not self.stop.is_set():
            try:
                self.statuses.append(browser.get(base + "/sessions", timeout=10).status)
            except OSError:
                self.statuses.append(0)
            time.sleep(0.05)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(15)


def _until(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_postgresql_restarted_under_load(cluster, private_postgres):
    urls = cluster.urls
    with Load(urls) as load:
        time.sleep(0.5)
        private_postgres.stop("fast")
        try:
            assert _until(lambda: all(Browser().get(u + "/healthz").status == 503 for u in urls), 20)
            page = Browser(language="vi").get(urls[1] + "/sessions?page=2")
            assert page.status == 503 and "Dịch vụ tạm thời gián đoạn." in page.text
        finally:
            private_postgres.start()
        assert _until(lambda: all(Browser().get(u + "/healthz").status == 200 for u in urls), 30)
        assert _until(lambda: all(Browser().get(u + "/sessions?q=x").status == 200 for u in urls), 30)
    assert 500 not in load.statuses, _errors_logged(cluster)
    assert set(load.statuses) <= {200, 503, 0}
    assert 200 in load.statuses


def _errors_logged(cluster) -> str:
    """What the web instances logged of unexpected errors (with their tracebacks), to say why a 500."""
    lines = []
    for log in sorted(cluster.folder.glob("web*.log")):
        text = log.read_text(errors="replace")
        start = min((i for i in (text.find("Unhandled error"), text.find("Error handling request")) if i >= 0),
                    default=-1)
        if start >= 0:
            lines.append(f"{log.name}: {text[start:start + 4000]}")
    return "\n".join(lines) or "a 500 answer, and no unexpected error in the instances' logs"


def test_login_throttling_counts_across_instances(cluster):
    one, two = cluster.urls
    intruder = Browser()
    statuses = [intruder.login((one, two)[n % 2], "shared.limit@demo.test", "wrong-password").status
                for n in range(6)]
    assert statuses == [401] * 5 + [429]  # 5 failures per account, counted in Redis by both


def test_redis_stopped_the_site_keeps_serving(cluster):
    one, two = cluster.urls
    cluster.redis.stop()
    try:
        for base in (one, two):
            assert Browser().get(base + "/sessions").status == 200
            assert Browser().get(base + "/").status == 200
        # Throttling falls back to each process's memory: wrong passwords are refused, then throttled.
        intruder = Browser()
        # 11 attempts: with 2 workers, one of them sees at least 6, over its limit of 5.
        statuses = [intruder.login(one, "nobody@demo.test", "wrong-password").status for _ in range(11)]
        assert 500 not in statuses and statuses[0] == 401 and 429 in statuses
        browser = Browser()
        assert browser.login(two, PARTNER, PASSWORD).status == 302
        assert browser.get(one + "/registrations").status == 200
    finally:
        cluster.redis.start()
    assert Browser().get(one + "/sessions").status == 200
