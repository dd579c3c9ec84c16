"""The one lookup-or-404 helper: a missing row is a translated 404 page, never a 500."""

import pytest
from werkzeug.exceptions import NotFound

from registrations.errors import get_or_404, session_or_404
from registrations.models import Agency


def test_get_or_404_finds_the_row_or_says_what_is_missing(app, db, make_agency, make_session):
    agency = make_agency("KH")
    session = make_session()
    with app.test_request_context("/"):
        assert get_or_404(Agency, agency.id).id == agency.id
        assert session_or_404(session.id).id == session.id
        with pytest.raises(NotFound) as missing:
            session_or_404(session.id + 1000)
        assert missing.value.description == "Cette session n’existe pas."  # the office's default language
        with pytest.raises(NotFound) as generic:
            get_or_404(Agency, agency.id + 1000)
        assert generic.value.translated and generic.value.description


@pytest.mark.parametrize("path", ["/manage/sessions/{}/registrations", "/manage/sessions/{}/certificates",
                                  "/manage/sessions/{}/announcement", "/manage/sessions/{}/certificates.zip"])
def test_staff_pages_of_a_missing_session_are_404(admin_client, path):
    response = admin_client.get(path.format(987654))
    assert response.status_code == 404
