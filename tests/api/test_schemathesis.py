"""Schemathesis against the served OpenAPI document, as an anonymous caller, a partner and an
organiser: no 5xx, every answer conforms to the document. Bounded by `API_FUZZ_EXAMPLES`
(examples per operation) so that it stays within a minute or two on each database."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from registrations.models import RegistrationState, Role

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "12"))


@pytest.fixture
def data(make_session, make_registration, make_participant, partner_user, partner_kh_user):
    session = make_session()
    make_registration(session, make_participant(agency=partner_user.agency))
    make_registration(session, make_participant(agency=partner_kh_user.agency), state=RegistrationState.PENDING)
    return session


@pytest.mark.parametrize("role", ["anonymous", "partner", "organiser"])
def test_the_api_conforms_to_its_document(app, db, data, role, partner_user, organiser_user, make_token):
    app.config.update(API_LIMIT_ANONYMOUS="100000 per minute", API_LIMIT_PER_TOKEN="100000 per minute")
    headers = {} if role == "anonymous" else make_token(partner_user if role == "partner" else organiser_user)
    # The WSGI transport does not decompress: ask for the plain body (compression is the server's).
    headers["Accept-Encoding"] = "identity"
    assert organiser_user.role == Role.ORGANISER
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8

    for operation in operations:
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def conforms(case):
            db.session.rollback()  # the test's own transaction never holds the database
            response = case.call(headers=headers)
            # Ids and cursors that exist only on the server cannot be described by a schema: a
            # schema-valid but unknown cursor is a 400, not a sign of a wrong document.
            case.validate_response(response, excluded_checks=[positive_data_acceptance])

        conforms()
