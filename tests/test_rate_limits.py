"""Rate limits are set in one way (`extensions.rate_limited`), so the limiter can skip every
request of a view without any limit, and still counts every limited one."""

from pathlib import Path

import registrations
from registrations.extensions import _without_limit, limiter

SOURCE = Path(registrations.__file__).parent


def test_limits_are_set_only_through_rate_limited():
    offenders = [str(path.relative_to(SOURCE)) for path in SOURCE.rglob("*.py")
                 if path.name != "extensions.py" and "limiter.limit(" in path.read_text(encoding="utf-8")]
    assert offenders == []


def test_the_limiter_is_told_to_skip_exactly_the_views_without_a_limit(app):
    expected = {"/sessions": True, "/": True, "/healthz": True, "/sessions/archive": True,
                "/verify": False, "/login": False, "/api/v1/sessions": False}
    for path, skipped in expected.items():
        with app.test_request_context(path):
            assert _without_limit() is skipped, path


def test_the_limiter_skips_unlimited_views_and_counts_limited_ones(app, client, monkeypatch):
    hits = []
    original = limiter.limiter.hit

    def counting_hit(*args, **kwargs):
        hits.append(args[1:])
        return original(*args, **kwargs)

    monkeypatch.setattr(limiter.limiter, "hit", counting_hit)
    for path in ("/sessions", "/", "/healthz", "/login"):
        assert client.get(path).status_code == 200
    assert hits == []
    assert client.get("/verify?code=NOPE-0000").status_code in (200, 404)
    assert hits, "the verification page is limited and must be counted"
    hits.clear()
    client.get("/api/v1/sessions")
    assert hits, "every API route is limited (by blueprint)"


def test_a_limited_view_still_answers_429_past_its_limit(app, client):
    app.config["VERIFY_LIMIT_PER_ADDRESS"] = "2 per minute"
    statuses = [client.get("/verify?code=NOPE-0000").status_code for _ in range(4)]
    assert statuses[-1] == 429 and 429 not in statuses[:2]
