"""What the load run asks for: each measured page as a list of requests and the checks of its answers.

A page is measured with a list of GET requests ("cookie<TAB>path" lines) that wrk walks in turn,
so a search or a filter changes at every request and misses the page cache (it keeps 256 parts
per process; each list here holds thousands of different URLs). Every answer must have the
expected status and contain the page's markers: a login page served instead of a list, an error
page or an empty body counts as an error.
"""

import random
import urllib.parse
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import url_for

from benchmarks.scale import pages
from registrations.extensions import db
from registrations.i18n import LANGUAGES
from registrations.models import Certificate, CertificateStatus, TrainingSession
from registrations.sessions.queries import upcoming_statement

#: Targets: (least share of the hello app's requests/s measured just before, p99 ceiling in ms).
TARGETS = {
    "cached": (0.35, 30.0),
    "search": (0.15, 50.0),
    "logged_in": (0.25, None),
    "list": (0.15, 100.0),
    "verify": (0.15, None),
    "download": (0.15, None),
    "post": (0.10, None),
}
#: Distinct URLs per uncached variant (far more than the page cache keeps).
VARIANTS = 3000
#: In the `<html lang>` of every page, and only when signed in.
SIGNED_IN = 'data-testid="whoami"'
FILTER_FORM = 'role="search"'


@dataclass
class Measured:
    """One line of the results: requests to send as `role`, and what every answer must hold."""

    key: str
    label: str
    target: str | None
    role: str = "anonymous"
    paths: list[str] = field(default_factory=list)
    #: Cookie per line for anonymous pages (the language); logged-in pages use the role's cookie.
    cookies: list[str] = field(default_factory=list)
    markers: tuple[str, ...] = ()
    status: int = 200
    skipped: str = ""
    #: The ids the page is about (see benchmarks/scale/pages.py).
    ids: dict = field(default_factory=dict)

    def lines(self, role_cookie: str) -> list[str]:
        cookies = self.cookies or [""]
        return [f"{_join(role_cookie, cookies[i % len(cookies)])}\t{path}" for i, path in enumerate(self.paths)]

    def as_result(self) -> dict:
        entry = {"key": self.key, "label": self.label, "target": self.target, "role": self.role,
                 "url": self.paths[0] if self.paths else None, "distinct_urls": len(set(self.paths)),
                 "markers": list(self.markers)}
        if self.skipped:
            entry["skipped"] = self.skipped
        return entry


def _join(*cookies: str) -> str:
    return "; ".join(c for c in cookies if c)


def language_cookies() -> list[str]:
    return [f"lang={code}" for code in LANGUAGES]


def plan(app, smoke: bool = False) -> list[Measured]:
    """Every measured GET page of this build, with its requests (run inside an app context)."""
    count = 300 if smoke else VARIANTS
    measured = [
        _fixed(app, "home", "Home page", None, "main.index", ('id="main"',)),
        _fixed(app, "healthz", "Health check", None, "main.healthz", ('"status":"ok"',)),
        _fixed(app, "login", "Login form", None, "auth.login", ('name="password"',)),
    ]
    for code in LANGUAGES:
        entry = _fixed(app, f"catalogue_{code}", f"Catalogue, anonymous, cached ({code})", "cached",
                       "sessions.catalogue", (FILTER_FORM, f'<html lang="{code}"'))
        entry.cookies = [f"lang={code}"]
        measured.append(entry)
    measured.append(_searches(app, count))
    measured.append(_filters(app, count))
    partner = _fixed(app, "catalogue_partner", "Catalogue, signed-in partner", "logged_in", "sessions.catalogue",
                     (FILTER_FORM, SIGNED_IN))
    partner.role = "partner"
    measured.append(partner)
    measured.append(_from_pages(app, "session", "Session page, anonymous", "cached", ('data-testid="session-title"',),
                                language_cookies()))
    measured.append(_from_pages(app, "partner_list", "Partner's registrations", "list",
                                ('data-testid="agency-registrations"', SIGNED_IN)))
    measured.append(_from_pages(app, "organiser_list", "Organiser's registrations of a session", "list",
                                ('data-testid="session-registrations"', SIGNED_IN)))
    measured.append(_from_pages(app, "attendance_sheet", "Attendance sheet", "list",
                                ('id="attendance-sheet"', SIGNED_IN)))
    measured.append(_verifications(app, count))
    download = _from_pages(app, "certificate_download", "Certificate download (stored PDF)", "download", ("%PDF",))
    if download.ids.get("certificate_id"):
        _store_pdf(download.ids["certificate_id"])
    measured.append(download)
    return measured


def _store_pdf(certificate_id: int) -> None:
    """Draw and keep the PDF of the downloaded certificate, as the job worker does once it is issued
    (again when the one kept by an earlier run predates the office's PDF signature)."""
    from registrations.certificates.rendering import render_many
    from registrations.documents.signing import is_signed

    facts, pdf = db.session.execute(sa.select(Certificate.facts, Certificate.pdf)
                                    .where(Certificate.id == certificate_id)).one()
    if pdf is None or not is_signed(pdf):
        db.session.execute(sa.update(Certificate).where(Certificate.id == certificate_id)
                           .values(pdf=render_many([facts])[0]))
    db.session.commit()


def _fixed(app, key, label, target, endpoint, markers) -> Measured:
    entry = Measured(key, label, target, markers=markers)
    if endpoint not in app.view_functions:
        entry.skipped = f"not available: no endpoint {endpoint} in this build"
    else:
        with app.test_request_context():
            entry.paths = [url_for(endpoint)]
    return entry


def _from_pages(app, key, label, target, markers, cookies=()) -> Measured:
    """A page of benchmarks/scale/pages.py at its one URL, as the role it is planned for."""
    page = next(p for p in pages.PAGES if p.key == key)
    entry = Measured(key, label, target, markers=markers, cookies=list(cookies))
    if not pages.exists(app, page):
        entry.skipped = f"not available: no endpoint {page.endpoint} in this build"
        return entry
    planned = pages.plan(app, page)
    entry.role = planned.role
    if planned.url is None:
        entry.skipped = f"not available: no value for {', '.join(planned.missing)}"
    else:
        entry.paths = [planned.url]
        entry.ids = planned.ids
    return entry


def search_terms(count: int, seed: int = 17) -> list[str]:
    """Different searches a reader would type: words of the upcoming sessions' titles in every
    language (with their accents, or Khmer and Lao pieces), their beginnings, two words, a word
    and a city."""
    rows = db.session.execute(upcoming_statement().with_only_columns(
        TrainingSession.title_fr, TrainingSession.title_en, TrainingSession.title_vi, TrainingSession.title_km,
        TrainingSession.title_lo, TrainingSession.city).order_by(None)).all()
    words, pieces, cities = set(), set(), set()
    for title_fr, title_en, title_vi, title_km, title_lo, city in rows:
        for title in (title_fr, title_en, title_vi):
            words.update(w.strip("«»:,.()'’") for w in (title or "").split() if len(w) > 3)
        for title in (title_km, title_lo):
            text = (title or "").replace(" ", "")
            pieces.update(text[i:i + n] for n in (3, 5) for i in range(0, max(0, len(text) - n), 4))
        cities.add(city)
    words.discard("")
    words, pieces, cities = sorted(words), sorted(pieces), sorted(cities)
    rng = random.Random(seed)
    terms: list[str] = []
    seen: set[str] = set()
    makers = [lambda: rng.choice(words), lambda: rng.choice(words)[:rng.randint(3, 6)],
              lambda: f"{rng.choice(words)} {rng.choice(words)}", lambda: f"{rng.choice(words)} {rng.choice(cities)}",
              lambda: rng.choice(pieces) if pieces else rng.choice(words),
              lambda: f"{rng.choice(words)[:4]} {rng.choice(cities)[:3]}"]
    attempts = 0
    while len(terms) < count and attempts < count * 20 and words:
        attempts += 1
        term = rng.choice(makers)()
        if term and term not in seen:
            seen.add(term)
            terms.append(term)
    return terms


def _searches(app, count: int) -> Measured:
    entry = Measured("catalogue_search", "Catalogue search, terms change per request", "search",
                     markers=(FILTER_FORM,), cookies=language_cookies())
    with app.test_request_context():
        entry.paths = [url_for("sessions.catalogue", q=term) for term in search_terms(count)]
    if not entry.paths:
        entry.skipped = "not available: no upcoming session to search"
    return entry


def _filters(app, count: int, seed: int = 18) -> Measured:
    """Filter combinations of the catalogue's form (theme, kind, country, month, language)."""
    entry = Measured("catalogue_filters", "Catalogue filters, changing per request", "search",
                     markers=(FILTER_FORM,), cookies=language_cookies())
    rows = db.session.execute(upcoming_statement().with_only_columns(
        TrainingSession.theme, TrainingSession.kind, TrainingSession.country, TrainingSession.start_date,
        TrainingSession.working_language).order_by(None)).all()
    if not rows:
        entry.skipped = "not available: no upcoming session"
        return entry
    choices = {
        "theme": sorted({r[0].value for r in rows}), "kind": sorted({r[1].value for r in rows}),
        "country": sorted({r[2] for r in rows}), "month": sorted({r[3].strftime("%Y-%m") for r in rows}),
        "language": sorted({r[4] for r in rows}),
    }
    rng = random.Random(seed)
    queries: list[str] = []
    seen: set[str] = set()
    attempts = 0
    while len(queries) < count and attempts < count * 20:
        attempts += 1
        names = rng.sample(sorted(choices), rng.randint(1, 3))
        query = {name: rng.choice(choices[name]) for name in names}
        if rng.random() < 0.3:
            query["page"] = "2"
        text = urllib.parse.urlencode(sorted(query.items()))
        if text not in seen:
            seen.add(text)
            queries.append(text)
    with app.test_request_context():
        base = url_for("sessions.catalogue")
    entry.paths = [f"{base}?{query}" for query in queries]
    return entry


def _verifications(app, count: int) -> Measured:
    """The public verification page of many different valid certificates."""
    page = next(p for p in pages.PAGES if p.key == "verify")
    entry = Measured("verify", "Certificate verification (rate limiter on)", "verify",
                     markers=('data-testid="certificate-status"',), cookies=language_cookies())
    if not pages.exists(app, page):
        entry.skipped = f"not available: no endpoint {page.endpoint} in this build"
        return entry
    codes = db.session.scalars(sa.select(Certificate.code).where(Certificate.status == CertificateStatus.VALID)
                               .order_by(Certificate.id.desc()).limit(count)).all()
    with app.test_request_context():
        entry.paths = [url_for(page.endpoint, code=code) for code in codes]
    if not entry.paths:
        entry.skipped = "not available: no valid certificate"
    return entry
