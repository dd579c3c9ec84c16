"""The catalogue search matches without caring about accents, case or spaces, in every script.

One matrix of queries that must and must not match, run on SQLite and on PostgreSQL (set
TEST_DATABASE_URL): the full-text index (FTS5 trigram on SQLite, pg_trgm on PostgreSQL) only
narrows the rows that the folded-text match then checks, so the answers are the same as the
plain match on the folded search text, Khmer and Lao included.
"""

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from registrations.models import SessionKind, TrainingSession
from registrations.sessions import fulltext, listing
from registrations.sessions.queries import CatalogueFilters, apply_filters, search_condition, upcoming_statement

SESSIONS = {
    "crime": {"title_fr": "Gestion d'une scène de crime", "title_vi": "Quản lý hiện trường vụ án",
              "title_km": "ការគ្រប់គ្រងកន្លែងកើតហេតុ", "title_lo": "ການຄຸ້ມຄອງສະຖານທີ່ເກີດເຫດ",
              "city": "Phnom Penh", "country": "KH"},
    "minors": {"title_fr": "Protection des mineurs", "title_en": "Child protection", "title_km": "ស្រី ពេជ្រ",
               "title_lo": "ເຂົ້າໜຽວ ສຳມະນາ", "city": "Hà Nội", "country": "VN"},
    "medicines": {"title_fr": "Médicaments contrefaits", "city": "Vientiane", "venue": "Hôtel Lao Plaza",
                  "country": "LA"},
}

#: (query, the sessions it must find; every other session must not be found).
MATRIX = [
    ("crime", {"crime"}),
    ("CRIME", {"crime"}),
    ("scene", {"crime"}),
    ("Scène", {"crime"}),
    ("ha noi", {"minors"}),
    ("hanoi", {"minors"}),
    ("Hà Nội", {"minors"}),
    ("HANOI", {"minors"}),
    ("hien truong", {"crime"}),
    ("hiện trường", {"crime"}),
    ("truong hien", {"crime"}),
    ("protection mineurs", {"minors"}),
    ("mineurs crime", set()),
    ("protection", {"minors"}),
    ("child", {"minors"}),
    ("contrefait", {"medicines"}),
    ("medic", {"medicines"}),
    ("MÉDIC", {"medicines"}),
    ("hotel lao", {"medicines"}),
    ("vien", {"medicines"}),
    ("viangchan", {"medicines"}),
    ("phnompenh", {"crime"}),
    ("phnom penh", {"crime"}),
    ("phnom  penh ", {"crime"}),
    ("de", {"crime", "minors"}),
    ("ab", set()),
    ("x", set()),
    ("xyz", set()),
    ("%", set()),
    ("_", set()),
    ("100%", set()),
    ('"crime"', set()),
    ("crime OR mineurs", set()),
    ("cri*", set()),
    # Khmer: pieces of a word (no spaces between words), the subscript consonant kept.
    ("គ្រប់គ្រង", {"crime"}),
    ("ពេជ្រ", {"minors"}),
    ("ស្រី ពេជ្រ", {"minors"}),
    ("គរប", set()),
    ("ពេជ", {"minors"}),
    # Lao: stacked marks kept; without the marks it is another text.
    ("ເຂົ້າໜຽວ", {"minors"}),
    ("ເຂົ້າ", {"minors"}),
    ("ເຂາ", set()),
    ("ສະຖານທີ່", {"crime"}),
    ("ສະຖານທີ່ ຄຸ້ມຄອງ", {"crime"}),
    ("ສະຖານທີ່ ເຂົ້າ", set()),
]


@pytest.fixture
def sessions(make_session):
    return {key: make_session(**values).id for key, values in SESSIONS.items()}


def _found(db, sessions, query: str) -> set[str]:
    names = {session_id: key for key, session_id in sessions.items()}
    ids = db.session.scalars(select(TrainingSession.id).where(search_condition(query),
                                                              TrainingSession.id.in_(names))).all()
    return {names[i] for i in ids}


def _found_in_memory(db, sessions, query: str) -> set[str]:
    """What the catalogue's search in memory (sessions/listing.py) finds."""
    names = {session_id: key for key, session_id in sessions.items()}
    rows = db.session.execute(listing.listed_statement(
        select(TrainingSession).where(TrainingSession.id.in_(names)))).all()
    return {names[row.id] for row in listing.matching(CatalogueFilters(q=query), map(listing.Listed._make, rows))}


@pytest.mark.parametrize("finder", [_found, _found_in_memory], ids=["database", "memory"])
def test_search_matrix(db, sessions, finder):
    wrong = []
    for query, expected in MATRIX:
        found = finder(db, sessions, query)
        if found != expected:
            wrong.append((query, sorted(expected), sorted(found)))
    assert wrong == []


def test_memory_and_database_find_the_same_sessions_for_every_filter(app, db, make_session):
    """The catalogue filters its upcoming sessions in memory, the archive and the API in the
    database: every combination of a search and the filters finds the same sessions, in the
    same order, both ways."""
    start = date.today() + timedelta(days=20)
    for index, (kind, country, language, interpretation, weeks) in enumerate(itertools.product(
            (SessionKind.COURSE, SessionKind.SEMINAR), ("VN", "KH"), ("fr", "vi"), ("", "km,lo"), (0, 6))):
        make_session(title_fr=f"Gestion {index} de crime" if index % 3 else f"Protection {index}",
                     kind=kind, country=country, city="Phnom Penh" if country == "KH" else "Hà Nội",
                     working_language=language, interpretation=interpretation, start=start + timedelta(weeks=weeks))
    make_session(title_fr="Passée", start=date.today() - timedelta(days=40))
    month = (start + timedelta(weeks=6)).strftime("%Y-%m")
    choices = {"q": ["", "crime", "protection", "de crime", "gestion1", "zzz"], "kind": ["", "seminar"],
               "country": ["", "KH"], "city": ["", "Hà Nội"], "month": ["", month], "language": ["", "vi", "km"]}
    with app.test_request_context("/sessions"):
        rows = listing.upcoming_index()
        compared = 0
        for values in itertools.product(*choices.values()):
            filters = CatalogueFilters(**dict(zip(choices, values, strict=True)))
            in_database = list(db.session.scalars(apply_filters(upcoming_statement(), filters).with_only_columns(
                TrainingSession.id)))
            in_memory = [row.id for row in listing.matching(filters, rows)]
            assert in_memory == in_database, filters
            compared += bool(in_database)
        assert compared > 100  # most combinations find something


def test_search_follows_edits_and_deletions(db, sessions):
    """The index is kept in step with every save: a renamed session is found by its new title only."""
    session = db.session.get(TrainingSession, sessions["medicines"])
    session.title_fr = "Faux documents"
    db.session.commit()
    assert _found(db, sessions, "documents") == {"medicines"}
    assert _found(db, sessions, "contrefait") == set()
    db.session.delete(db.session.get(TrainingSession, sessions["crime"]))
    db.session.commit()
    assert _found(db, {k: v for k, v in sessions.items() if k != "crime"}, "crime") == set()


def test_catalogue_page_uses_the_same_match(client, sessions):
    page = client.get("/sessions?q=ເຂົ້າໜຽວ").get_data(as_text=True)
    assert "Protection des mineurs" in page and "Médicaments contrefaits" not in page
    page = client.get("/sessions?q=HANOI+protection").get_data(as_text=True)
    assert "Protection des mineurs" in page and "scène de crime" not in page


def test_filters_combine_with_the_search(db, sessions):
    statement = apply_filters(upcoming_statement(), CatalogueFilters(q="protection", country="KH"))
    assert db.session.scalars(statement).all() == []
    statement = apply_filters(upcoming_statement(), CatalogueFilters(q="protection", country="VN"))
    assert [s.id for s in db.session.scalars(statement)] == [sessions["minors"]]


def test_the_index_is_used_and_only_narrows(db, sessions):
    """SQLite asks its FTS5 table first; PostgreSQL has a trigram index the match can use.
    What the index finds always holds every row the folded match finds."""
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        assert fulltext.match_expression("Hà Nội") == '"hanoi" OR ("noi")'
        statement = select(TrainingSession.id).where(search_condition("crime"))
        assert " MATCH " in str(statement.compile(db.engine))
        for query, expected in MATRIX:
            narrowed = fulltext.narrowing(query, TrainingSession.id)
            if narrowed is None:
                continue
            found = set(db.session.scalars(select(TrainingSession.id).where(narrowed)))
            assert {sessions[key] for key in expected} <= found, query
    else:
        assert fulltext.narrowing("crime", TrainingSession.id) is None
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(db.session.scalars(text(
            "EXPLAIN SELECT id FROM training_session WHERE search_text LIKE '%' || 'crime' || '%' ESCAPE '/'")))
        db.session.rollback()
        assert fulltext.TRIGRAM_INDEX in plan
