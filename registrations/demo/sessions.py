"""Demo sessions: the three 2013 actions of the seed page, and a programme around today.

Upcoming dates are relative to today so that the demo never goes stale: one session is
running now (attendance can be marked today), one ended a week ago, one is a draft, and
at least eight are open in the catalogue across the five priority themes.
"""

from datetime import date, timedelta

from sqlalchemy import select

from registrations.extensions import db
from registrations.models import Agency as AgencyModel
from registrations.models import DayPart, SessionKind, SessionStatus, Theme, TrainingSession, User
from registrations.sessions.base import day_start_utc, local_today
from registrations.sessions.lifecycle import change_status
from registrations.sessions.services import (
    DayChange,
    QuotaSpec,
    create_session,
    load_days,
    save_days,
)
from registrations.transaction import run

PARTNERS = "VN,KH,LA"

#: Lines of programme given to the days of each session, in order (repeated if needed).
PROGRAMMES = {
    Theme.MIGRATION: ["Ouverture ; cadre juridique et coopération régionale",
                      "Techniques de détection des documents falsifiés (atelier)",
                      "Analyse de risque et profilage aux points de passage",
                      "Exercice pratique au poste-frontière",
                      "Restitution des travaux et évaluation"],
    Theme.TRAFFICKING: ["Ouverture ; indicateurs de la traite des êtres humains",
                        "Identification et audition des victimes, mineurs en particulier",
                        "Enquêtes financières et coopération internationale",
                        "Prise en charge des victimes avec les ONG partenaires",
                        "Études de cas et évaluation"],
    Theme.DRUGS: ["Ouverture ; routes du trafic en Asie du Sud-Est",
                  "Livraisons surveillées : cadre et pratique",
                  "Précurseurs chimiques et laboratoires clandestins",
                  "Exploitation de la téléphonie et des données",
                  "Exercice de synthèse et évaluation"],
    Theme.COUNTERFEITS: ["Ouverture ; ampleur du trafic de médicaments falsifiés",
                         "Coopération police, douanes et autorités de santé",
                         "Ventes en ligne : enquêtes et retraits",
                         "Études de cas régionales et recommandations"],
    Theme.CIVIL_SECURITY: ["Ouverture ; organisation de la sécurité civile",
                           "Planification des secours et cellule de crise",
                           "Exercice sur le terrain avec les sapeurs-pompiers",
                           "Retour d'expérience et plan d'action",
                           "Évaluation et clôture"],
    Theme.OTHER: ["Ouverture ; gel des lieux et premières constatations",
                  "Relevé des traces et indices, chaîne de custody",
                  "Photographie judiciaire et plans",
                  "Exercice sur scène reconstituée",
                  "Restitution et évaluation"],
}


def _spec(**fields) -> dict:
    return fields


def _today_plus(days: int) -> date:
    return local_today() + timedelta(days=days)


def _sessions() -> list[dict]:
    """The demo sessions; `offset` dates are relative to today, `start` dates are fixed."""
    return [
        # The three actions of 2013 named on the seed page.
        _spec(title_fr="Protection des mineurs", title_en="Protection of minors",
             title_vi="Bảo vệ người chưa thành niên", kind=SessionKind.COURSE, theme=Theme.TRAFFICKING,
             city="Hà Nội", country="VN", venue="Học viện Cảnh sát nhân dân", start=date(2013, 7, 15), length=5,
             working_language="fr", interpretation="vi", capacity=25, eligible_countries="VN",
             description_fr="Formation des enquêteurs spécialisés à l'audition et à la protection des mineurs "
                            "victimes.", final=SessionStatus.COMPLETED),
        _spec(title_fr="Conférence régionale sur la lutte contre le trafic des faux médicaments",
             title_en="Regional conference on fighting the trafficking of counterfeit medicines",
             title_vi="Hội nghị khu vực về đấu tranh chống buôn bán thuốc giả",
             title_km="សន្និសីទថ្នាក់តំបន់ស្តីពីការប្រយុទ្ធប្រឆាំងការជួញដូរឱសថក្លែងក្លាយ",
             title_lo="ກອງປະຊຸມພາກພື້ນກ່ຽວກັບການຕ້ານການຄ້າຢາປອມ",
             kind=SessionKind.CONFERENCE, theme=Theme.COUNTERFEITS, city="Hà Nội", country="VN",
             venue="Khách sạn Melia, 44 Lý Thường Kiệt", start=date(2013, 9, 24), length=3,
             working_language="fr", interpretation="vi,km,lo,en", capacity=80, eligible_countries=PARTNERS,
             description_fr="Conférence régionale réunissant polices, douanes et autorités de santé du Vietnam, "
                            "du Cambodge et du Laos.", final=SessionStatus.COMPLETED),
        _spec(title_fr="Gestion d'une scène de crime", title_en="Crime scene management",
             title_km="ការគ្រប់គ្រងទីកន្លែងកើតហេតុ", kind=SessionKind.COURSE, theme=Theme.OTHER,
             city="Phnom Penh", country="KH", venue="Commissariat général de la Police nationale",
             start=date(2013, 10, 14), length=5, working_language="fr", interpretation="km", capacity=20,
             eligible_countries="KH", description_fr="Gel des lieux, relevé des traces et indices, chaîne de "
                                                     "custody.", final=SessionStatus.COMPLETED),
        # Running now: started yesterday, ends in two days; registrations closed.
        _spec(title_fr="Premiers secours et prise en charge de nombreuses victimes",
             title_en="First aid and mass-casualty care",
             title_vi="Sơ cứu và xử lý tình huống nhiều nạn nhân", kind=SessionKind.COURSE,
             theme=Theme.CIVIL_SECURITY, city="Hà Nội", country="VN", venue="Trường Đại học Phòng cháy chữa cháy",
             offset=-1, length=4, working_language="fr", interpretation="vi,lo", capacity=24,
             eligible_countries=PARTNERS, opens=-60, deadline=-8, final=SessionStatus.CLOSED),
        # Ended a week ago, completed.
        _spec(title_fr="Audition des mineurs victimes", title_en="Interviewing child victims",
             title_km="ការសាកសួរអនីតិជនរងគ្រោះ", kind=SessionKind.COURSE, theme=Theme.TRAFFICKING,
             city="Phnom Penh", country="KH", venue="Police nationale cambodgienne", offset=-11, length=5,
             working_language="fr", interpretation="km,vi", capacity=18, eligible_countries=PARTNERS,
             opens=-70, deadline=-20, final=SessionStatus.COMPLETED),
        # Upcoming, published.
        _spec(title_fr="Détection de la fraude documentaire aux frontières",
             title_en="Detecting document fraud at the borders",
             title_vi="Phát hiện gian lận giấy tờ tại cửa khẩu", kind=SessionKind.COURSE, theme=Theme.MIGRATION,
             city="Hồ Chí Minh", country="VN", venue="Cảng hàng không quốc tế Tân Sơn Nhất", offset=21, length=5,
             working_language="fr", interpretation="vi,km,lo", capacity=20, eligible_countries=PARTNERS,
             opens=-20, deadline=10, quotas=[QuotaSpec(10, country="VN"), QuotaSpec(5, country="KH"),
                                              QuotaSpec(5, country="LA")]),
        _spec(title_fr="Traite des êtres humains : identifier les victimes",
             title_en="Human trafficking: identifying the victims",
             title_km="ការជួញដូរមនុស្ស៖ ការកំណត់អត្តសញ្ញាណជនរងគ្រោះ", kind=SessionKind.SEMINAR,
             theme=Theme.TRAFFICKING, city="Phnom Penh", country="KH", venue="Hôtel Sofitel Phokeethra",
             offset=35, length=3, working_language="en", interpretation="km,vi,lo", capacity=40,
             eligible_countries=PARTNERS, opens=-10, deadline=25, auto_approve=True),
        _spec(title_fr="Enquêtes sur le trafic de stupéfiants et livraisons surveillées",
             title_en="Drug trafficking investigations and controlled deliveries",
             title_lo="ການສືບສວນການຄ້າຢາເສບຕິດ ແລະ ການສົ່ງມອບພາຍໃຕ້ການຕິດຕາມ", kind=SessionKind.COURSE,
             theme=Theme.DRUGS, city="Vientiane", country="LA", venue="Académie de police de Dongdok",
             offset=49, length=5, working_language="fr", interpretation="lo", capacity=16,
             eligible_countries=PARTNERS, opens=-5, deadline=35, confirm_promotions=True, offer_hours=48,
             agency_quota=("LA-MPS", 8)),
        _spec(title_fr="Médicaments falsifiés : coopération entre police, douanes et santé",
             title_en="Falsified medicines: police, customs and health cooperation",
             title_vi="Thuốc giả: phối hợp giữa công an, hải quan và y tế", kind=SessionKind.SEMINAR,
             theme=Theme.COUNTERFEITS, city="Hà Nội", country="VN", venue="Bộ Công an, 44 Yết Kiêu",
             offset=63, length=2, working_language="fr", interpretation="vi,en", capacity=35,
             eligible_countries=PARTNERS, opens=-3, deadline=50, split_first_day=True),
        _spec(title_fr="Gestion de crise et secours lors des inondations",
             title_en="Crisis management and flood rescue",
             title_lo="ການຄຸ້ມຄອງວິກິດ ແລະ ການກູ້ໄພໃນເວລານ້ຳຖ້ວມ", kind=SessionKind.COURSE,
             theme=Theme.CIVIL_SECURITY, city="Vientiane", country="LA", venue="Département de la protection civile",
             offset=77, length=5, working_language="fr", interpretation="lo,km", capacity=20,
             eligible_countries="LA,KH", opens=-1, deadline=60),
        _spec(title_fr="Visite d'étude : lutte contre l'incendie en milieu urbain",
             title_en="Study visit: urban firefighting", title_vi="Tham quan học tập: chữa cháy đô thị",
             kind=SessionKind.STUDY_VISIT, theme=Theme.CIVIL_SECURITY, city="Hồ Chí Minh", country="VN",
             venue="Cảnh sát PCCC Thành phố Hồ Chí Minh", offset=91, length=4, working_language="vi",
             interpretation="fr", capacity=12, eligible_countries=PARTNERS, opens=0, deadline=70),
        _spec(title_fr="Immigration irrégulière : analyse de risque dans les aéroports",
             title_en="Irregular immigration: risk analysis at airports",
             title_km="អន្តោប្រវេសន៍ខុសច្បាប់៖ ការវិភាគហានិភ័យនៅអាកាសយានដ្ឋាន", kind=SessionKind.COURSE,
             theme=Theme.MIGRATION, city="Phnom Penh", country="KH", venue="Aéroport international de Phnom Penh",
             offset=105, length=4, working_language="fr", interpretation="km", capacity=15,
             eligible_countries="KH,LA", opens=30, deadline=90),
        _spec(title_fr="Protection des mineurs face à la criminalité en ligne",
             title_en="Protecting minors from online crime",
             title_vi="Bảo vệ người chưa thành niên trước tội phạm mạng", kind=SessionKind.SEMINAR,
             theme=Theme.TRAFFICKING, city="Hà Nội", country="VN", venue="Học viện An ninh nhân dân",
             offset=120, length=3, working_language="fr", interpretation="vi,km,lo", capacity=30,
             eligible_countries=PARTNERS, opens=-2, deadline=100, quotas=[QuotaSpec(12, country="VN")]),
        _spec(title_fr="Routes du trafic de méthamphétamine dans le Triangle d'or",
             title_en="Methamphetamine trafficking routes in the Golden Triangle",
             title_lo="ເສັ້ນທາງການຄ້າຢາບ້າໃນສາມຫຼ່ຽມຄຳ", kind=SessionKind.CONFERENCE, theme=Theme.DRUGS,
             city="Vientiane", country="LA", venue="Centre national de conventions", offset=135, length=2,
             working_language="en", interpretation="lo,vi,km,fr", capacity=60, eligible_countries=PARTNERS,
             opens=-1, deadline=120),
        # A draft the office is still preparing.
        _spec(title_fr="Renseignement criminel et réseaux de passeurs",
             title_en="Criminal intelligence and smuggling networks", kind=SessionKind.COURSE,
             theme=Theme.MIGRATION, city="Hà Nội", country="VN", offset=160, length=5, working_language="fr",
             interpretation="vi", capacity=20, eligible_countries=PARTNERS, final=SessionStatus.DRAFT),
    ]


def seed() -> dict:
    """Create the demo sessions that do not exist yet (looked up by French title and start)."""
    created = {"sessions": 0, "session days": 0}
    actor = db.session.scalar(select(User).where(User.email == "organiser@demo.test"))
    agencies = dict(db.session.execute(select(AgencyModel.code, AgencyModel.id)).all())
    existing = {(title, start) for title, start in db.session.execute(
        select(TrainingSession.title_fr, TrainingSession.start_date))}
    titles = {title for title, _ in existing}
    for spec in _sessions():
        spec = dict(spec)
        fixed = "start" in spec
        start = spec.pop("start") if fixed else _today_plus(spec.pop("offset"))
        # Relative dates move every day: a session seeded yesterday is the same demo session.
        if (spec["title_fr"], start) in existing or (not fixed and spec["title_fr"] in titles):
            continue
        created["session days"] += run(_create, spec, start, actor, agencies)
        created["sessions"] += 1
    return created


def _create(spec: dict, start: date, actor, agencies: dict) -> int:
    """One demo session with its days and status: one unit of work."""
    final = spec.pop("final", SessionStatus.PUBLISHED)
    length = spec.pop("length")
    quotas = list(spec.pop("quotas", []))
    agency_quota = spec.pop("agency_quota", None)
    if agency_quota and agency_quota[0] in agencies:
        quotas.append(QuotaSpec(agency_quota[1], agency_id=agencies[agency_quota[0]]))
    split_first_day = spec.pop("split_first_day", False)
    opens, deadline = spec.pop("opens", None), spec.pop("deadline", None)
    spec.setdefault("description_fr", _description(spec))
    spec.setdefault("description_en", f"{spec['title_en']}. A session of the internal security cooperation "
                                      f"programme for partner officers.")
    values = dict(spec, start_date=start, end_date=start + timedelta(days=length - 1),
                  registration_opens_at=day_start_utc(_today_plus(opens)) if opens is not None else None,
                  registration_deadline=(day_start_utc(_today_plus(deadline)) + timedelta(hours=17))
                  if deadline is not None else None)
    session = create_session(values, quotas, actor=actor)
    lines = PROGRAMMES[session.theme]
    days = load_days(session.id)
    changes = [DayChange(id=day.id, part=DayPart.FULL, programme=lines[index % len(lines)],
                         split=split_first_day and index == 0) for index, day in enumerate(days)]
    days = save_days(session.id, changes, actor=actor)
    if final != SessionStatus.DRAFT:
        change_status(session.id, SessionStatus.PUBLISHED, actor=actor)
    if final == SessionStatus.CLOSED:
        change_status(session.id, SessionStatus.CLOSED, actor=actor)
    if final == SessionStatus.COMPLETED:
        change_status(session.id, SessionStatus.COMPLETED, actor=actor)
    return len(days)


def _description(spec: dict) -> str:
    return (f"{spec['title_fr']}. Une action du programme de coopération en matière de sécurité intérieure, "
            f"ouverte aux officiers des services partenaires. Cours magistraux, ateliers pratiques et études "
            f"de cas, avec des intervenants français et régionaux.")
