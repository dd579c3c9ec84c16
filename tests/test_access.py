"""Every route declares who may use it; protected pages refuse the wrong roles."""

import pytest

from registrations.access import access_rule


def test_every_endpoint_declares_an_access_rule(app):
    missing = sorted(
        rule.endpoint for rule in app.url_map.iter_rules() if access_rule(app, rule.endpoint) is None
    )
    assert missing == [], f"endpoints without @allow(...): {missing}"


def test_state_changing_routes_accept_no_get(app):
    """Routes that change state are POST only (GET must never change anything)."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("auth.logout", "main.set_language"):
            assert "GET" not in rule.methods


@pytest.mark.parametrize("url", ["/account/password"])
def test_protected_pages_send_anonymous_visitors_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
