"""Certificates: rendering speed in one process, and the ZIP of a session's certificates.

Both are measured only when the build has them (the PDF module `registrations.documents`, the
endpoint `certificates.session_zip`).
"""

import json
import subprocess
import time
from pathlib import Path

import harness

from benchmarks.scale import pages

LOCALES = ("fr", "en", "vi", "km", "lo")
RENDER_TARGET = 20.0  # certificates per second from one process
ZIP_TARGET = 10.0  # seconds for the first ZIP of the largest session (400 certificates at scale 1)


def render_rate(app, count: int = 50) -> dict | None:
    """Certificates rendered per second by one process (names in five languages), one at a time
    and in the runs a rendering process draws as one document (unsigned, both)."""
    try:
        from registrations.certificates.rendering import RUN
        from registrations.documents import render_certificate, render_certificates
        from registrations.documents.examples import example_certificate
    except ImportError:
        return None
    with app.app_context():
        for locale in LOCALES:  # first use: fonts and session backgrounds
            render_certificate(example_certificate(locale, n=0))
        many = [example_certificate(LOCALES[n % len(LOCALES)], n=n + 1) for n in range(count)]
        started = time.perf_counter()
        size = sum(len(render_certificate(facts)) for facts in many)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        for start in range(0, count, RUN):
            render_certificates(many[start:start + RUN])
        in_runs = time.perf_counter() - started
    return {"count": count, "seconds": round(seconds, 2), "per_second": round(count / seconds, 1),
            "mean_bytes": size // count, "run": RUN, "per_second_in_runs": round(count / in_runs, 1)}


def forget_pdfs(app, session_id: int, limit: int | None = None) -> int:
    """Remove the stored PDFs of a session's certificates (or of `limit` of them), so that its
    ZIP starts from certificates never rendered (as after `seed-scale`). Returns how many."""
    import sqlalchemy as sa

    from registrations.extensions import db
    from registrations.models import Certificate, Registration

    with app.app_context():
        ids = (sa.select(Certificate.id).join(Registration, Registration.id == Certificate.registration_id)
               .where(Registration.session_id == session_id).order_by(Certificate.id).limit(limit))
        done = db.session.execute(sa.update(Certificate).where(Certificate.id.in_(ids)).values(pdf=None))
        db.session.commit()
        db.session.remove()
    return done.rowcount


def zip_timing(app, server, env: dict, worker_log: Path, timeout: float = 300, forget: int | None = None
               ) -> dict | None:
    """The first ZIP of the session with the most certificates, none of them rendered yet: the
    job worker draws them (started here, as in production); the ZIP answers 202 and asks the
    worker, the progress is polled as the certificates page does, then the ZIP is taken; then the
    same ZIP again."""
    if not pages.exists(app, pages.ZIP):
        return None
    from benchmarks.scale.generate import ORGANISER_EMAIL, PASSWORD
    from registrations.extensions import db

    with app.app_context():
        planned = pages.plan(app, pages.ZIP)
        ids, url = planned.ids, planned.url
        db.session.remove()
    if url is None:
        return {"skipped": "no session with certificates"}
    forgotten = forget_pdfs(app, ids["session_id"], forget)
    with app.test_request_context():
        from flask import url_for

        progress_url = url_for("certificates.progress", session_id=ids["session_id"])
    browser = harness.Browser(server.base)
    browser.log_in(ORGANISER_EMAIL, PASSWORD)
    command = [harness.executable("flask"), "--app", "app", "worker", "--threads", "2", "--no-periodic"]
    with worker_log.open("w") as log, subprocess.Popen(command, cwd=harness.ROOT, env=env, stdout=log,
                                                       stderr=subprocess.STDOUT) as worker:
        try:
            _wait_until_ready(worker, worker_log)
            started = time.perf_counter()
            polls = 0
            status, headers, body = browser.request(url)  # 202: the worker is asked to draw them
            while status == 202 and time.perf_counter() - started < timeout:
                # As the certificates page does: poll the progress (a read), then take the ZIP.
                time.sleep(0.25)
                polls += 1
                _, _, progress = browser.request(progress_url)
                if json.loads(progress or b"{}").get("finished"):
                    status, headers, body = browser.request(url)
            first = {"status": status, "seconds": round(time.perf_counter() - started, 2), "bytes": len(body),
                     "type": headers.get("Content-Type", ""), "progress_polls": polls}
            started = time.perf_counter()
            status, headers, body = browser.request(url)
            again = {"status": status, "seconds": round(time.perf_counter() - started, 2), "bytes": len(body),
                     "type": headers.get("Content-Type", "")}
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
    result = {"url": url, "certificates": ids.get("certificates"), "never_rendered": forgotten, "first": first,
              "again": again}
    if first["status"] != 200 or "zip" not in first["type"] or again["status"] != 200:
        result["error"] = f"answers {first['status']} then {again['status']} ({first['type']})"
    return result


def _wait_until_ready(worker, log: Path, timeout: float = 120) -> None:
    """Wait until the worker has started, its certificate rendering processes too (it says so
    in its log), as a production worker would be."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and worker.poll() is None:
        text = log.read_text(errors="replace")
        if "Outbox at start" in text and "Certificate rendering" in text:
            return
        time.sleep(0.2)
    raise SystemExit(f"the job worker did not start; see {log}")


def measure(app, server, result: dict, env: dict, worker_log: Path, smoke: bool = False) -> list[str]:
    """Measure both, store them in `result` and return the lines to print."""
    notes = []
    rendering = render_rate(app, count=5 if smoke else 50)
    result["certificate_rendering"] = rendering
    if rendering is None:
        notes.append("Certificate rendering: not available (no registrations.documents in this build).")
    else:
        verdict = "meets" if rendering["per_second"] >= RENDER_TARGET else "misses"
        notes.append(f"Certificate rendering, one process: {rendering['per_second']:.1f} per second "
                     f"({rendering['count']} in {rendering['seconds']} s; target ≥ {RENDER_TARGET:.0f}/s: {verdict}); "
                     f"in runs of {rendering['run']} as the rendering processes draw them: "
                     f"{rendering['per_second_in_runs']:.1f} per second.")
    zipped = zip_timing(app, server, env, worker_log, forget=10 if smoke else None)
    result["certificate_zip"] = zipped
    if zipped is None:
        notes.append("Certificate ZIP: not available (no certificates.session_zip in this build).")
    elif "skipped" in zipped:
        notes.append(f"Certificate ZIP: {zipped['skipped']}.")
    else:
        for moment in ("first", "again"):
            figures = zipped[moment]
            ok = figures["status"] == 200 and figures["seconds"] < ZIP_TARGET
            what = (f"first download, {zipped['never_rendered']} never rendered, drawn by the job worker"
                    if moment == "first" else "downloaded again")
            notes.append(f"Certificate ZIP of {zipped['certificates']} certificates ({what}): "
                         f"{figures['seconds']} s, {figures['bytes']:,} bytes, status {figures['status']} "
                         f"(target < {ZIP_TARGET:.0f} s: {'meets' if ok else 'misses'}).")
    return notes
