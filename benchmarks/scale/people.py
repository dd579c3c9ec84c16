"""Agencies and participants at scale: rows built in memory, names in four scripts.

The builders return plain dictionaries ready for a bulk insert, and keep what later steps
need (each participant's agency, country and names) in a `People` record.
"""

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from benchmarks.scale import vocabulary as words
from registrations.models import AgencyKind
from registrations.text import fold


@dataclass
class People:
    """What the later steps need to know about the generated agencies and participants."""

    agency_ids: list[int] = field(default_factory=list)
    agency_country: dict[int, str] = field(default_factory=dict)
    agency_names: dict[int, tuple[str, str]] = field(default_factory=dict)
    inactive_agencies: set[int] = field(default_factory=set)
    #: Participant ids by country, in creation order.
    by_country: dict[str, list[int]] = field(default_factory=dict)
    #: participant id → (agency id, country, locale, Latin name, own-script name, rank)
    person: dict[int, tuple] = field(default_factory=dict)


def _ascii(text: str) -> str:
    """The passport spelling of a Vietnamese or French name: accents dropped, case kept."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def person_name(rng: random.Random, country: str) -> tuple[str, str]:
    """A (Latin, own script) name typical of the country; own script is empty when it is Latin."""
    if country == "VN":
        native = f"{rng.choice(words.VI_FAMILY)} {rng.choice(words.VI_MIDDLE)} {rng.choice(words.VI_GIVEN)}"
        return _ascii(native), native
    if country in ("KH", "LA", "TH"):
        family, given = {
            "KH": (words.KM_FAMILY, words.KM_GIVEN),
            "LA": (words.LO_FAMILY, words.LO_GIVEN),
            "TH": (words.TH_FAMILY, words.TH_GIVEN),
        }[country]
        (f_lat, f_nat), (g_lat, g_nat) = rng.choice(family), rng.choice(given)
        if country == "KH":  # Khmer names put the family name first
            return f"{f_lat.upper()} {g_lat}", f"{f_nat} {g_nat}"
        return f"{g_lat} {f_lat.upper()}", f"{g_nat} {f_nat}"
    if country == "MM":
        return rng.choice(words.MM_NAMES), ""
    return f"{rng.choice(words.FR_GIVEN)} {rng.choice(words.FR_FAMILY).upper()}", ""


def agency_rows(rng: random.Random, count: int, first_id: int, now: datetime, people: People) -> list[dict]:
    """`count` partner agencies spread over the countries (at least one in each)."""
    countries = list(words.COUNTRIES)
    shares = [words.COUNTRIES[c][0] for c in countries]
    plan = countries + rng.choices(countries, weights=shares, k=max(count - len(countries), 0))
    kinds = list(words.AGENCY_NAMES)
    rows = []
    for offset, country in enumerate(plan):
        agency_id = first_id + offset
        _, provinces, _ = words.COUNTRIES[country]
        province, province_local = rng.choice(provinces)
        kind = kinds[0] if rng.random() < 0.55 else rng.choice(kinds)
        name_fr, local = words.AGENCY_NAMES[kind]
        name, name_local = name_fr.format(p=province), local[country].format(p=province_local)
        active = offset < len(countries) or rng.random() > 0.02
        rows.append({"id": agency_id, "code": f"{country}-{kind.value[:3].upper()}-{agency_id:04d}",
                     "name": name, "name_local": name_local, "country": country, "kind": kind,
                     "active": active, "created_at": now - timedelta(days=rng.randint(400, 4000))})
        if not active:
            people.inactive_agencies.add(agency_id)
        people.agency_ids.append(agency_id)
        people.agency_country[agency_id] = country
        people.agency_names[agency_id] = (name, name_local)
    return rows


def office_row(agency_id: int, now: datetime) -> dict:
    """The cooperation office, agency of the organiser and the administrator."""
    return {"id": agency_id, "code": f"FR-OFFICE-{agency_id:04d}",
            "name": "Service de sécurité intérieure, Ambassade de France au Vietnam",
            "name_local": "Service de sécurité intérieure", "country": "FR", "kind": AgencyKind.POLICE,
            "active": True, "created_at": now}


def participant_rows(rng: random.Random, count: int, first_id: int, now: datetime, people: People):
    """Yield `count` participants; agencies get unequal shares, as real ones do."""
    by_country: dict[str, list[int]] = {}
    for agency_id in people.agency_ids:
        by_country.setdefault(people.agency_country[agency_id], []).append(agency_id)
    # Within a country, the first agencies are the big ones (weight 1/sqrt(rank)).
    weights = {c: [1 / (rank + 1) ** 0.5 for rank in range(len(ids))] for c, ids in by_country.items()}
    countries = list(by_country)
    shares = [words.COUNTRIES[c][0] for c in countries]
    picks = rng.choices(countries, weights=shares, k=count)
    for offset, country in enumerate(picks):
        participant_id = first_id + offset
        agency_id = rng.choices(by_country[country], weights=weights[country])[0]
        latin, native = person_name(rng, country)
        rank = rng.choice(words.RANKS[country])
        locale = words.COUNTRIES[country][2]
        people.by_country.setdefault(country, []).append(participant_id)
        people.person[participant_id] = (agency_id, country, locale, latin, native, rank)
        has_email = rng.random() < 0.8
        yield {
            "id": participant_id, "agency_id": agency_id, "name_latin": latin, "name_native": native,
            "name_key": fold(latin), "rank": rank, "unit": "",
            "email": f"{fold(latin).replace(' ', '.')}.{participant_id}@{country.lower()}.scale.test"
            if has_email else None,
            "phone": f"+{rng.randint(10, 99)} {rng.randint(100000000, 999999999)}" if rng.random() < 0.5 else "",
            "languages": "", "locale": locale,
            "created_at": now - timedelta(days=rng.randint(0, 3650), seconds=rng.randint(0, 86399)),
            "anonymised_at": None,
        }


def account_plan(people: People, partners: int) -> list[tuple[int, int]]:
    """(participant id, agency id) of the partner accounts: the biggest agencies of VN, KH and LA."""
    candidates = {
        country: iter([pid for pid in people.by_country.get(country, [])
                       if people.person[pid][0] not in people.inactive_agencies])
        for country in ("VN", "KH", "LA")
    }
    chosen = []
    while len(chosen) < partners and candidates:
        for country in list(candidates):
            participant_id = next(candidates[country], None)
            if participant_id is None:
                del candidates[country]
            elif len(chosen) < partners:
                chosen.append((participant_id, people.person[participant_id][0]))
    return chosen
