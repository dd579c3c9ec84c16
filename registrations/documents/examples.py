"""Example documents with names that need real shaping, for tests, benchmarks and previews."""

from __future__ import annotations

from datetime import date

from .certificate import CertificateFacts
from .invitation import InvitationLetter
from .signin_sheet import SigninRow, SigninSheet

__all__ = ["EXAMPLE_PEOPLE", "example_certificate", "example_invitation", "example_signin_sheet"]

#: locale -> (Latin name, own-script name, rank, agency, local agency, local title,
#: local kind, local country)
EXAMPLE_PEOPLE: dict[str, tuple[str, ...]] = {
    "vi": ("NGUYEN Thi Huong", "Nguyễn Thị Hương", "Thượng tá",
           "Ministry of Public Security, Immigration Department", "Bộ Công an, Cục Quản lý xuất nhập cảnh",
           "Quản lý hiện trường vụ án", "Khóa đào tạo", "Campuchia"),
    "km": ("SREY Pech", "ស្រី ពេជ្រ", "Major", "Cambodian National Police",
           "អគ្គស្នងការដ្ឋាននគរបាលជាតិ", "ព្រះរាជាណាចក្រកម្ពុជា", "វគ្គបណ្តុះបណ្តាល", "កម្ពុជា"),
    "lo": ("KHAONIAO Somphone", "ເຂົ້າໜຽວ", "Captain", "Lao Ministry of Public Security",
           "ກະຊວງປ້ອງກັນຄວາມສະຫງົບ", "ການຄຸ້ມຄອງສະຖານທີ່ເກີດເຫດ", "ຫຼັກສູດຝຶກອົບຮົມ", "ກຳປູເຈຍ"),
    "en": ("Jane SMITH", "", "Inspector", "Partner Agency", "", "Crime scene management",
           "Training course", "Cambodia"),
    "fr": ("Jeanne MARTIN", "", "Commandant", "Police nationale", "",
           "Gestion d'une scène de crime", "Formation", "Cambodge"),
}


def example_certificate(locale: str = "km", n: int = 42, **changes) -> CertificateFacts:
    """Return plausible certificate facts for a participant speaking ``locale``.

    ``n`` varies the serial and the verification code; ``changes`` override fields.
    """
    latin, native, rank, agency, agency_local, title_local, kind_local, country = \
        EXAMPLE_PEOPLE[locale]
    values = {
        "locale": locale,
        "participant_name_latin": latin,
        "participant_name_native": native,
        "rank": rank,
        "agency_name": agency,
        "agency_name_local": agency_local,
        "session_title_fr": "Gestion d'une scène de crime",
        "session_title_local": title_local,
        "session_kind_fr": "Formation",
        "session_kind_local": kind_local,
        "city": "Phnom Penh",
        "country_name_fr": "Cambodge",
        "country_name_local": country,
        "start_date": date(2026, 3, 2),
        "end_date": date(2026, 3, 6),
        "days_attended": 5 - n % 2,
        "days_held": 5,
        "serial": f"PNH-2026-{n:04d}",
        "issue_date": date(2026, 3, 6),
        "signatory_name": "Jean-Pierre DURAND",
        "signatory_title": "Attaché de sécurité intérieure",
        "verify_url": f"https://formations.example.org/verify/{n:06d}K7QX2M9PL4",
        "short_code": "7KQ2-M9PX",
    }
    values.update(changes)
    return CertificateFacts(**values)


def example_signin_sheet(rows: int = 45, locale: str = "fr") -> SigninSheet:
    """Return a sign-in sheet with ``rows`` participants cycling through vi, km, lo and fr."""
    people = [EXAMPLE_PEOPLE[code] for code in ("vi", "km", "lo", "fr")]
    return SigninSheet(
        locale=locale,
        session_title="Gestion d'une scène de crime",
        city="Phnom Penh",
        day_date=date(2026, 3, 3),
        day_part_label="Matin",
        rows=[SigninRow(f"{people[i % 4][0]} {i + 1}", people[i % 4][1], people[i % 4][3])
              for i in range(rows)],
    )


def example_invitation(locale: str = "km", **changes) -> InvitationLetter:
    """Return an invitation letter for the example participant speaking ``locale``."""
    latin, native, rank, agency, *_rest = EXAMPLE_PEOPLE[locale]
    values = {
        "participant_name_latin": latin,
        "participant_name_native": native,
        "rank": rank,
        "agency_name": agency,
        "agency_country_fr": {"vi": "Viêt Nam", "km": "Cambodge", "lo": "Laos"}.get(locale, "France"),
        "agency_country_en": {"vi": "Viet Nam", "km": "Cambodia", "lo": "Laos"}.get(locale, "France"),
        "session_title_fr": "Lutte contre la fraude documentaire",
        "session_title_en": "Countering document fraud",
        "session_kind_fr": "séminaire régional",
        "session_kind_en": "regional seminar",
        "city": "Hanoï",
        "country_name_fr": "Viêt Nam",
        "country_name_en": "Viet Nam",
        "start_date": date(2026, 5, 11),
        "end_date": date(2026, 5, 15),
        "letter_date": date(2026, 4, 2),
        "verification_code": "INV-7QX2M9PL4K",
        "signatory_name": "Jean-Pierre DURAND",
        "signatory_title": "Attaché de sécurité intérieure",
        "verify_url": "https://formations.example.org/verify/INV-7QX2M9PL4K",
        "issuer_address": "57 Tràng Thi, Hoàn Kiếm, Hà Nội, Viêt Nam",
    }
    values.update(changes)
    return InvitationLetter(**values)
