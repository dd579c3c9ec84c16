"""The session cookie is signed as Flask signs it, by a signer made once per set of keys."""

from registrations.cookie_sessions import CookieSessions


def test_the_signer_is_made_once_and_again_when_the_keys_change(app, client):
    interface = app.session_interface
    assert isinstance(interface, CookieSessions)
    first = interface.get_signing_serializer(app)
    for _ in range(3):
        client.get("/login")
    assert interface.get_signing_serializer(app) is first
    cookie = first.dumps({"note": "signed with the old key"})
    old_key = app.secret_key
    app.secret_key = "a-new-secret-key-for-this-test-only"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    renewed = interface.get_signing_serializer(app)
    assert renewed is not first
    assert renewed.loads(cookie) == {"note": "signed with the old key"}  # the fallback still opens it
    app.config["SECRET_KEY_FALLBACKS"] = None
    assert interface.get_signing_serializer(app).loads(renewed.dumps({"a": 1})) == {"a": 1}


def test_a_signed_in_reader_keeps_the_session_across_requests(partner_client):
    for _ in range(2):
        page = partner_client.get("/sessions")
        assert page.status_code == 200 and 'data-testid="whoami"' in page.get_data(as_text=True)
