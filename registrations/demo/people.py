"""Demo agencies, accounts and participants of Vietnam, Cambodia, Laos and the office."""

from sqlalchemy import select

from registrations.auth.services import create_user
from registrations.extensions import db
from registrations.models import Agency, AgencyKind, Participant, Role, User
from registrations.text import fold

DEMO_PASSWORD = "cooperation-2026"  # noqa: S105 (public demo password, see README)

AGENCIES = [
    # code, name (French), local name, country, kind
    ("FR-SSI-HAN", "Service de sécurité intérieure, Ambassade de France au Vietnam",
     "Service de sécurité intérieure", "FR", AgencyKind.POLICE),
    ("VN-MPS-HTQT", "Département de la coopération internationale, ministère de la Sécurité publique",
     "Cục Hợp tác quốc tế, Bộ Công an", "VN", AgencyKind.POLICE),
    ("VN-MPS-XNC", "Département de la gestion de l'immigration, ministère de la Sécurité publique",
     "Cục Quản lý xuất nhập cảnh, Bộ Công an", "VN", AgencyKind.IMMIGRATION),
    ("VN-MPS-C02", "Département de la police criminelle, ministère de la Sécurité publique",
     "Cục Cảnh sát hình sự, Bộ Công an", "VN", AgencyKind.POLICE),
    ("KH-CNP", "Commissariat général de la Police nationale cambodgienne",
     "អគ្គស្នងការដ្ឋាននគរបាលជាតិ", "KH", AgencyKind.POLICE),
    ("KH-CNP-AHT", "Département de lutte contre la traite des êtres humains et de protection des mineurs",
     "នាយកដ្ឋានប្រឆាំងការជួញដូរមនុស្ស និងការពារអនីតិជន", "KH", AgencyKind.POLICE),
    ("LA-MPS", "Ministère de la Sécurité publique du Laos",
     "ກະຊວງປ້ອງກັນຄວາມສະຫງົບ", "LA", AgencyKind.POLICE),
    ("LA-MPS-FIRE", "Département de la prévention et de la lutte contre l'incendie",
     "ກົມຕຳຫຼວດປ້ອງກັນ ແລະ ຕ້ານອັກຄີໄພ", "LA", AgencyKind.CIVIL_PROTECTION),
]

ACCOUNTS = [
    # email, role, agency code, name (Latin), name (own script), locale
    ("admin@demo.test", Role.ADMIN, "FR-SSI-HAN", "Claire Martin", "", "fr"),
    ("organiser@demo.test", Role.ORGANISER, "FR-SSI-HAN", "Julien Bernard", "", "fr"),
    ("partner.vn@demo.test", Role.PARTNER, "VN-MPS-HTQT", "Nguyen Thi Huong", "Nguyễn Thị Hương", "vi"),
    ("partner.kh@demo.test", Role.PARTNER, "KH-CNP", "Srey Pich", "ស្រី ពេជ្រ", "km"),
    ("partner.la@demo.test", Role.PARTNER, "LA-MPS", "Khamla Phommachanh", "ຄຳຫລ້າ ພົມມະຈັນ", "lo"),
]

#: Colleagues without accounts, whom partners can nominate.
COLLEAGUES = [
    # agency code, Latin name, own script, rank, unit, email, locale
    ("VN-MPS-HTQT", "Tran Van Minh", "Trần Văn Minh", "Thượng tá", "Phòng Hợp tác đa phương",
     "tran.van.minh@demo.test", "vi"),
    ("VN-MPS-HTQT", "Le Thi Mai", "Lê Thị Mai", "Thiếu tá", "Phòng Đào tạo", "le.thi.mai@demo.test", "vi"),
    ("VN-MPS-XNC", "Pham Quoc Bao", "Phạm Quốc Bảo", "Trung tá", "Phòng Kiểm soát xuất nhập cảnh",
     "pham.quoc.bao@demo.test", "vi"),
    ("VN-MPS-C02", "Do Thanh Tung", "Đỗ Thanh Tùng", "Đại úy", "Phòng Kỹ thuật hình sự",
     "do.thanh.tung@demo.test", "vi"),
    ("KH-CNP", "Chan Dara", "ចាន់ ដារា", "Major", "Police judiciaire", "chan.dara@demo.test", "km"),
    ("KH-CNP", "Sok Vanna", "សុខ វណ្ណា", "Captain", "Scientific police", "sok.vanna@demo.test", "km"),
    ("KH-CNP-AHT", "Keo Sophea", "កែវ សុភា", "Lieutenant-Colonel", "Protection des mineurs",
     "keo.sophea@demo.test", "km"),
    ("LA-MPS", "Souksavanh Keomany", "ສຸກສະຫວັນ ແກ້ວມະນີ", "Major", "Police judiciaire",
     "souksavanh.keomany@demo.test", "lo"),
    ("LA-MPS", "Bounmy Sisavath", "ບຸນມີ ສີສະຫວາດ", "Captain", "Immigration", "bounmy.sisavath@demo.test", "lo"),
    ("LA-MPS-FIRE", "Vilay Chanthavong", "ວິໄລ ຈັນທະວົງ", "Lieutenant", "Secours",
     "vilay.chanthavong@demo.test", "lo"),
]


def seed() -> dict:
    """Create the demo agencies, accounts and colleagues that do not exist yet."""
    created = {"agencies": 0, "accounts": 0, "participants": 0}
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    for code, name, local, country, kind in AGENCIES:
        if code not in agencies:
            agencies[code] = Agency(code=code, name=name, name_local=local, country=country, kind=kind)
            db.session.add(agencies[code])
            created["agencies"] += 1
    db.session.commit()

    existing = set(db.session.scalars(select(User.email)))
    for email, role, code, name, native, locale in ACCOUNTS:
        if email in existing:
            continue
        user = create_user(email=email, password=DEMO_PASSWORD, role=role, agency=agencies[code],
                           name=name, name_native=native, locale=locale)
        if user.participant_id:
            participant = db.session.get(Participant, user.participant_id)
            participant.rank = {"vi": "Trung tá", "km": "Colonel", "lo": "Lieutenant-Colonel"}.get(locale, "")
            participant.unit = {"vi": "Phòng Hợp tác song phương", "km": "Coopération internationale",
                                "lo": "Département des affaires étrangères"}.get(locale, "")
            participant.languages = {"vi": "Tiếng Việt, English", "km": "ខ្មែរ, Français",
                                     "lo": "ລາວ, English"}.get(locale, "")
        created["accounts"] += 1
        created["participants"] += 1 if role == Role.PARTNER else 0

    known = set(db.session.scalars(select(Participant.email).where(Participant.email.is_not(None))))
    for code, latin, native, rank, unit, email, locale in COLLEAGUES:
        if email in known:
            continue
        db.session.add(Participant(agency=agencies[code], name_latin=latin, name_native=native,
                                   name_key=fold(latin), rank=rank, unit=unit, email=email, locale=locale))
        created["participants"] += 1
    db.session.commit()
    return created
