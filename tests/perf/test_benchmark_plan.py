"""The load benchmark's requests (benchmarks/variants.py) are real pages that pass its checks.

wrk counts an answer as an error when its status or content markers are wrong; here each
measured page's requests are asked through the test client, as the account the benchmark uses,
so that a renamed marker or endpoint fails the suite instead of the next measured run.
"""

import sys
from pathlib import Path

import pytest

from benchmarks.scale.generate import Sizes
from benchmarks.scale.pages import account

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
variants = pytest.importorskip("variants")


@pytest.fixture
def planned(app, db, seed_at):
    seed_at(Sizes(partners=3).scaled(0.005))
    app.config["RATELIMIT_ENABLED"] = False
    return variants.plan(app, smoke=True)


def test_every_measured_page_passes_its_checks_and_searches_change(app, planned):
    assert {m.key for m in planned} >= {"catalogue_fr", "catalogue_km", "catalogue_search", "catalogue_filters",
                                        "catalogue_partner", "partner_list", "organiser_list", "attendance_sheet",
                                        "verify"}
    clients = {}
    for measured in planned:
        assert not measured.skipped, f"{measured.key}: {measured.skipped}"
        if measured.role not in clients:
            client = app.test_client()
            if measured.role != "anonymous":
                client.login_as(account(measured.role))
            clients[measured.role] = client
        client = clients[measured.role]
        for line in measured.lines("")[:6]:
            cookie, path = line.split("\t", 1)
            language = next((c.split("=", 1)[1] for c in cookie.split("; ") if c.startswith("lang=")), "fr")
            client.set_cookie("lang", language)
            response = client.get(path)
            body = response.get_data()
            assert response.status_code == measured.status, f"{measured.key}: {path} answered {response.status_code}"
            for marker in measured.markers:
                assert marker.encode() in body, f"{measured.key}: {path} lacks {marker}"
    # Uncached variants: more different URLs than the page cache keeps (256 per process),
    # searches in every script, the five languages in turn.
    by_key = {m.key: m for m in planned}
    search = by_key["catalogue_search"]
    assert len(set(search.paths)) == len(search.paths) > 100
    assert len(set(by_key["catalogue_filters"].paths)) == len(by_key["catalogue_filters"].paths) > 100
    assert len(search.cookies) == 5
    with app.app_context():
        terms = variants.search_terms(300)
    assert any(ord(ch) >= 0x1780 and ord(ch) <= 0x17FF for term in terms for ch in term)  # Khmer
    assert any(ord(ch) >= 0x0E80 and ord(ch) <= 0x0EFF for term in terms for ch in term)  # Lao
