"""Certificates are drawn once, when issued (in parallel for a whole session), then served as stored."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from registrations.certificates import rendering
from registrations.certificates.services import issue, issue_all
from registrations.models import Certificate
from registrations.transaction import run

from .pdf import pdf_text


def test_each_certificate_is_drawn_once_and_then_served_as_stored(app, db, organiser_client, ended_session,
                                                                  attendee, monkeypatch):
    app.config["CERTIFICATE_RENDER_PROCESSES"] = 1
    calls = []
    real = rendering.draw_many
    monkeypatch.setattr(rendering, "draw_many",
                        lambda snapshots: calls.extend(s["serial"] for s in snapshots) or real(snapshots))
    session = ended_session()
    for _ in range(6):
        attendee(session)
    created = run(issue_all, session.id)
    assert sorted(calls) == sorted(c.serial for c in created)
    assert db.session.scalar(select(func.count()).where(Certificate.pdf.is_not(None))) == 6
    calls.clear()
    assert run(issue_all, session.id) == []
    assert organiser_client.get(f"/certificates/{created[0].id}.pdf").status_code == 200
    zipped = organiser_client.get(f"/manage/sessions/{session.id}/certificates.zip")
    assert zipped.status_code == 200 and len(zipped.data) > 6 * 1000
    assert calls == []


def test_a_session_is_drawn_by_the_rendering_processes(app, db, ended_session, attendee):
    app.config["CERTIFICATE_RENDER_PROCESSES"] = 2
    session = ended_session(title_fr="Protection des mineurs")
    people = [attendee(session, name_latin=f"Person {n}", name_native="ເຂົ້າໜຽວ", locale="lo") for n in range(5)]
    created = run(issue_all, session.id)
    assert len(created) == len(people) >= rendering.MIN_BATCH
    for certificate in created:
        data = db.session.scalar(select(Certificate.pdf).where(Certificate.id == certificate.id))
        text = pdf_text(data)
        assert certificate.serial in text and "Protectiondesmineurs" in text and "ເຂົ້າໜຽວ" in text
        # drawn in a batch, each PDF is its own certificate's page and no other's
        assert [c.serial for c in created if c.serial in text] == [certificate.serial]


def test_a_single_certificate_is_drawn_here(app, db, ended_session, attendee, monkeypatch):
    monkeypatch.setattr(rendering, "_get_pool", lambda: (_ for _ in ()).throw(AssertionError("no pool for one")))
    certificate = run(issue, attendee(ended_session()).id)[0]
    assert db.session.scalar(select(Certificate.pdf).where(Certificate.id == certificate.id)).startswith(b"%PDF-")



@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states in /proc")
def test_rendering_processes_end_when_their_worker_is_killed(app, tmp_path):
    """A worker killed with SIGKILL never shuts its pool down: its rendering processes notice it
    and exit instead of living on."""
    script = tmp_path / "starter.py"
    script.write_text(
        "import multiprocessing, os, sys, time\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from registrations.certificates import rendering\n"
        "if __name__ == '__main__':\n"
        "    pool = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context('spawn'),\n"
        "                               initializer=rendering._start_worker, initargs=(sys.argv[1], 'en'))\n"
        "    list(pool.map(time.sleep, [0.5, 0.5]))\n"
        "    print(' '.join(map(str, sorted(pool._processes))), flush=True)\n"
        "    time.sleep(60)\n")
    root = Path(__file__).resolve().parents[2]
    starter = subprocess.Popen([sys.executable, str(script), app.config["BABEL_TRANSLATION_DIRECTORIES"]],
                               env={**os.environ, "PYTHONPATH": str(root)}, stdout=subprocess.PIPE, text=True)
    try:
        children = [int(pid) for pid in starter.stdout.readline().split()]
        assert len(children) == 2 and all(_running(pid) for pid in children)
    finally:
        starter.send_signal(signal.SIGKILL)
        starter.wait()
        starter.stdout.close()
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(pid) for pid in children)


def _running(pid: int) -> bool:
    """Whether the process exists and has not exited (a zombie has exited)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False
