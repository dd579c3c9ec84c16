import pytest

from tests.messages.smtp import HOST, SMTPServer, free_port


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def smtp_app(app, smtp_port):
    """The app sending through a real SMTP server on a loopback port (started by the test)."""
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER=HOST, MAIL_PORT=smtp_port, MAIL_TIMEOUT=5)
    return app


@pytest.fixture
def smtp_server(smtp_port):
    """A running SMTP server (stopped after the test)."""
    server = SMTPServer(smtp_port).start()
    yield server
    server.stop()
