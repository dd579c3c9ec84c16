"""Responses never cached, login timing, and throttling that a stranger cannot turn into a lock-out."""

import itertools
import statistics
import time

import pytest

from registrations.access import access_rule
from registrations.security import CACHEABLE_ENDPOINTS, STATIC_ENDPOINTS
from tests.conftest import TEST_PASSWORD


#: Values to try for each URL argument, by name (real objects of the `world` fixture first).
def _candidates(world, name: str) -> list:
    ids = world.ids
    return {
        "session_id": [ids["session_id"], ids["ended_session_id"]],
        "registration_id": [ids["registration_id"], ids["attendee_id"]],
        "certificate_id": [ids["certificate_id"]],
        "day_id": [ids["day_id"]],
        "agency_id": [ids["agency_id"]],
        "user_id": [ids["user_id"]],
        "participant_id": [ids["participant_id"]],
        "fmt": ["csv", "xlsx"],
        "code": [ids["code"]],
        "endpoint_id": [ids["endpoint_id"]],
        "token": ["not-a-token"],
        "question_id": [ids["question_id"]],
        "which": ["template", "example"],
        "number": [1],
        "filename": [],
        "trainer_id": [ids["trainer_id"]],
        "item_id": [ids["item_id"]],
        "material_id": [ids["material_id"]],
        "signatory_id": [ids["signatory_id"]],
        "kind": ["signature", "stamp"],
    }[name]


#: Downloads with personal data that must be reached (status 200) by the walk below.
DOWNLOADS = {"registrations.export", "attendance.export", "attendance.signin_pdf", "certificates.download",
             "certificates.session_zip", "certificates.invitation", "admin.participant_export",
             "admin.audit_csv", "reports.xlsx", "registrations.answer_file",
             "programme.material", "credentials.open_badge"}


def test_every_answer_but_static_files_says_no_store(app, world, clients):
    """Walk the url_map: every GET, as every role, with real ids, answers `Cache-Control: no-store`."""
    reached = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in STATIC_ENDPOINTS:
            continue
        assert access_rule(app, rule.endpoint), rule.endpoint
        names = sorted(rule.arguments)
        for values in itertools.product(*(_candidates(world, name) for name in names)):
            url = app.url_map.bind("localhost").build(rule.endpoint, dict(zip(names, values, strict=True)))
            for role, client in clients.items():
                response = client.get(url)
                response.get_data()  # a streamed ZIP is read to its end, as a browser would
                response.close()
                assert response.status_code < 500, (url, role)
                if rule.endpoint in CACHEABLE_ENDPOINTS and response.status_code == 200:
                    # Public keys and revocation lists: nothing personal, meant to be kept.
                    assert "public" in response.headers["Cache-Control"], (url, role)
                    reached.add(rule.endpoint)
                    continue
                assert "no-store" in response.headers.get("Cache-Control", ""), (url, role, response.headers)
                if response.status_code == 200:
                    reached.add(rule.endpoint)
    assert reached >= DOWNLOADS | CACHEABLE_ENDPOINTS, (DOWNLOADS | CACHEABLE_ENDPOINTS) - reached
    static = clients["anonymous"].get("/static/css/app.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")


def _login(client, email, password, address="192.0.2.1"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_login_takes_as_long_for_an_unknown_email_as_for_a_wrong_password(app, make_user, office):
    """Both answers hash a password with the production method: the ratio stays under 2×."""
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    app.config["RATELIMIT_ENABLED"] = False
    user = make_user(email="timed@example.test", password=TEST_PASSWORD)
    client = app.test_client()
    timings = {"known": [], "unknown": []}
    for _ in range(5):
        for kind, email in (("known", user.email), ("unknown", "nobody@example.test")):
            start = time.perf_counter()
            assert _login(client, email, "wrong-password-123").status_code == 401
            timings[kind].append(time.perf_counter() - start)
    known, unknown = statistics.median(timings["known"]), statistics.median(timings["unknown"])
    assert max(known, unknown) / min(known, unknown) < 2, timings


def test_a_stranger_cannot_lock_an_account_out(app, admin_user):
    stranger, owner = app.test_client(), app.test_client()
    for _ in range(5):
        assert _login(stranger, admin_user.email, "guessing-12345", address="203.0.113.9").status_code == 401
    blocked = _login(stranger, admin_user.email, TEST_PASSWORD, address="203.0.113.9")
    assert blocked.status_code == 429
    assert "Trop de tentatives de connexion échouées" in blocked.get_data(as_text=True)
    assert _login(owner, admin_user.email, TEST_PASSWORD, address="198.51.100.7").status_code == 302


def test_guesses_spread_over_many_addresses_meet_the_slower_account_limit(app, partner_user):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "8 per hour"
    client = app.test_client()
    for n in range(8):
        assert _login(client, partner_user.email, "guessing-12345", address=f"203.0.113.{n + 1}").status_code == 401
    response = _login(client, partner_user.email, TEST_PASSWORD, address="203.0.113.200")
    assert response.status_code == 429
    # Another account is not concerned.
    assert _login(client, "someone.else@example.test", "x" * 12, address="203.0.113.201").status_code == 401


@pytest.mark.parametrize("email", ["admin@example.test", "nobody@example.test"])
def test_the_throttle_answer_is_the_same_for_known_and_unknown_accounts(app, admin_user, email):
    client = app.test_client()
    for _ in range(5):
        _login(client, email, "guessing-12345")
    response = _login(client, email, "guessing-12345")
    assert response.status_code == 429
