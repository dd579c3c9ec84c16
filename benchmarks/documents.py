"""Certificates: rendering speed in one process, and the ZIP of a session's certificates.

Both are measured only when the build has them (the PDF module `registrations.documents`, the
endpoint `certificates.session_zip`).
"""

import time

import harness

from benchmarks.scale import pages

LOCALES = ("fr", "en", "vi", "km", "lo")
RENDER_TARGET = 20.0  # certificates per second from one process
ZIP_TARGET = 10.0  # seconds for a 200-certificate ZIP


def render_rate(app, count: int = 50) -> dict | None:
    """Certificates rendered per second by one process (names in five languages)."""
    try:
        from registrations.documents import render_certificate
        from registrations.documents.examples import example_certificate
    except ImportError:
        return None
    with app.app_context():
        for locale in LOCALES:  # first use: fonts and session backgrounds
            render_certificate(example_certificate(locale, n=0))
        started = time.perf_counter()
        size = 0
        for n in range(count):
            size += len(render_certificate(example_certificate(LOCALES[n % len(LOCALES)], n=n + 1)))
        seconds = time.perf_counter() - started
    return {"count": count, "seconds": round(seconds, 2), "per_second": round(count / seconds, 1),
            "mean_bytes": size // count}


def zip_timing(app, server) -> dict | None:
    """Download the ZIP of the session with the most certificates, twice (first, then again)."""
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
    browser = harness.Browser(server.base)
    browser.log_in(ORGANISER_EMAIL, PASSWORD)
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        status, headers, body = browser.request(url)
        timings.append({"status": status, "seconds": round(time.perf_counter() - started, 2), "bytes": len(body),
                        "type": headers.get("Content-Type", "")})
    return {"url": url, "certificates": ids.get("certificates"), "first": timings[0], "again": timings[1]}


def measure(app, server, result: dict) -> list[str]:
    """Measure both, store them in `result` and return the lines to print."""
    notes = []
    rendering = render_rate(app)
    result["certificate_rendering"] = rendering
    if rendering is None:
        notes.append("Certificate rendering: not available (no registrations.documents in this build).")
    else:
        verdict = "meets" if rendering["per_second"] >= RENDER_TARGET else "misses"
        notes.append(f"Certificate rendering, one process: {rendering['per_second']:.1f} per second "
                     f"({rendering['count']} in {rendering['seconds']} s; target ≥ {RENDER_TARGET:.0f}/s: {verdict}).")
    zipped = zip_timing(app, server)
    result["certificate_zip"] = zipped
    if zipped is None:
        notes.append("Certificate ZIP: not available (no certificates.session_zip in this build).")
    elif "skipped" in zipped:
        notes.append(f"Certificate ZIP: {zipped['skipped']}.")
    else:
        for moment in ("first", "again"):
            figures = zipped[moment]
            ok = figures["status"] == 200 and figures["seconds"] < ZIP_TARGET
            notes.append(f"Certificate ZIP of {zipped['certificates']} certificates ({moment} download): "
                         f"{figures['seconds']} s, {figures['bytes']:,} bytes, status {figures['status']} "
                         f"(target < {ZIP_TARGET:.0f} s: {'meets' if ok else 'misses'}).")
    return notes
