"""Words the scale generator draws from: names in four scripts, places, session topics.

Each entry pairs a Latin spelling with the spelling in the person's or the place's own script,
so that the generated data exercises text folding, sorting and shaping in every language.
"""

from registrations.models import AgencyKind, SessionKind, Theme

#: Vietnamese names: (family names, middle names, given names), written with their accents.
VI_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
             "Hồ", "Ngô", "Dương", "Lý"]
VI_MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Ngọc", "Xuân", "Thu"]
VI_GIVEN = ["Hương", "Minh", "Tuấn", "Lan", "Hùng", "Dũng", "Mai", "Anh", "Bảo", "Tùng", "Hà", "Linh",
            "Phương", "Thảo", "Long", "Nghĩa", "Quân", "Trang", "Yến", "Đạt"]

#: Khmer names: (Latin, Khmer script).
KM_FAMILY = [("Sok", "សុខ"), ("Chan", "ចាន់"), ("Keo", "កែវ"), ("Heng", "ហេង"), ("Kim", "គីម"),
             ("Chea", "ជា"), ("Meas", "មាស"), ("Ly", "លី"), ("Seng", "សេង"), ("Nuon", "នួន"),
             ("Touch", "ទូច"), ("Srey", "ស្រី")]
KM_GIVEN = [("Pich", "ពេជ្រ"), ("Dara", "ដារា"), ("Vanna", "វណ្ណា"), ("Sophea", "សុភា"),
            ("Sophal", "សុផល"), ("Rithy", "រិទ្ធី"), ("Bopha", "បុប្ផា"), ("Vichea", "វិជ្ជា"),
            ("Sokha", "សុខា"), ("Channary", "ចន្ទនារី"), ("Ratana", "រតនា"), ("Kosal", "កុសល")]

#: Lao names: (Latin, Lao script).
LO_FAMILY = [("Phommachanh", "ພົມມະຈັນ"), ("Keomany", "ແກ້ວມະນີ"), ("Sisavath", "ສີສະຫວາດ"),
             ("Chanthavong", "ຈັນທະວົງ"), ("Vongsa", "ວົງສາ"), ("Inthavong", "ອິນທະວົງ"),
             ("Phanthavong", "ພັນທະວົງ"), ("Sengdala", "ແສງດາລາ"), ("Xayavong", "ໄຊຍະວົງ")]
LO_GIVEN = [("Khamla", "ຄຳຫລ້າ"), ("Souksavanh", "ສຸກສະຫວັນ"), ("Bounmy", "ບຸນມີ"), ("Vilay", "ວິໄລ"),
            ("Somphone", "ສົມພອນ"), ("Phonesavanh", "ໂພນສະຫວັນ"), ("Anousone", "ອານຸສອນ"),
            ("Douangchai", "ດວງໃຈ"), ("Khaonieo", "ເຂົ້າໜຽວ")]

#: Thai names: (Latin, Thai script).
TH_FAMILY = [("Srisuk", "ศรีสุข"), ("Chaiyaporn", "ชัยพร"), ("Wongsawat", "วงศ์สวัสดิ์"), ("Boonmee", "บุญมี")]
TH_GIVEN = [("Somchai", "สมชาย"), ("Suda", "สุดา"), ("Niran", "นิรันดร์"), ("Kanya", "กันยา")]

#: Names written in Latin script only.
MM_NAMES = ["Aung Min Htet", "Thandar Win", "Kyaw Zin Oo", "Hnin Wai Phyo", "Zaw Myo Naing", "Su Myat Noe"]
FR_FAMILY = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Lefèvre",
             "Moreau", "Garnier", "Chevalier"]
FR_GIVEN = ["Claire", "Julien", "Camille", "Nicolas", "Élodie", "Mathieu", "Sophie", "Hélène", "Loïc",
            "Amélie", "François", "Inès"]

RANKS = {
    "VN": ["Thiếu úy", "Trung úy", "Thượng úy", "Đại úy", "Thiếu tá", "Trung tá", "Thượng tá", "Đại tá"],
    "KH": ["Lieutenant", "Captain", "Major", "Lieutenant-Colonel", "Colonel"],
    "LA": ["Lieutenant", "Captain", "Major", "Lieutenant-Colonel", "Colonel"],
    "TH": ["Police Lieutenant", "Police Captain", "Police Major", "Police Colonel"],
    "MM": ["Police Lieutenant", "Police Captain", "Police Major"],
    "FR": ["Capitaine", "Commandant", "Commissaire", "Lieutenant-colonel"],
}

#: Country → (share of participants, provinces as (Latin/French, own script), locale).
COUNTRIES = {
    "VN": (0.40, [("Hà Nội", "Hà Nội"), ("Hồ Chí Minh", "Hồ Chí Minh"), ("Đà Nẵng", "Đà Nẵng"),
                  ("Hải Phòng", "Hải Phòng"), ("Cần Thơ", "Cần Thơ"), ("Quảng Ninh", "Quảng Ninh"),
                  ("Lào Cai", "Lào Cai"), ("Nghệ An", "Nghệ An"), ("An Giang", "An Giang"),
                  ("Tây Ninh", "Tây Ninh")], "vi"),
    "KH": (0.25, [("Phnom Penh", "ភ្នំពេញ"), ("Siem Reap", "សៀមរាប"), ("Battambang", "បាត់ដំបង"),
                  ("Preah Sihanouk", "ព្រះសីហនុ"), ("Kampot", "កំពត"), ("Svay Rieng", "ស្វាយរៀង")], "km"),
    "LA": (0.20, [("Vientiane", "ວຽງຈັນ"), ("Luang Prabang", "ຫຼວງພະບາງ"), ("Savannakhet", "ສະຫວັນນະເຂດ"),
                  ("Champasak", "ຈຳປາສັກ"), ("Bokeo", "ບໍ່ແກ້ວ")], "lo"),
    "TH": (0.07, [("Bangkok", "กรุงเทพมหานคร"), ("Chiang Mai", "เชียงใหม่"), ("Nong Khai", "หนองคาย")], "en"),
    "MM": (0.05, [("Yangon", "Yangon"), ("Mandalay", "Mandalay")], "en"),
    "FR": (0.03, [("Paris", "Paris"), ("Lyon", "Lyon"), ("Marseille", "Marseille")], "fr"),
}

#: Agency kinds → (French name pattern, local name pattern by country), {p} is the province.
AGENCY_NAMES = {
    AgencyKind.POLICE: ("Direction de la police, province de {p}", {
        "VN": "Công an tỉnh {p}", "KH": "ស្នងការដ្ឋាននគរបាលខេត្ត{p}", "LA": "ກອງບັນຊາການປ້ອງກັນຄວາມສະຫງົບແຂວງ{p}",
        "TH": "ตำรวจภูธร{p}", "MM": "Myanmar Police Force, {p}", "FR": "Direction de la police, {p}"}),
    AgencyKind.IMMIGRATION: ("Service de l'immigration, {p}", {
        "VN": "Phòng Quản lý xuất nhập cảnh {p}", "KH": "នាយកដ្ឋានអន្តោប្រវេសន៍ {p}", "LA": "ກົມກວດຄົນເຂົ້າເມືອງ {p}",
        "TH": "ตรวจคนเข้าเมือง{p}", "MM": "Immigration, {p}", "FR": "Police aux frontières, {p}"}),
    AgencyKind.CUSTOMS: ("Douanes, {p}", {
        "VN": "Cục Hải quan {p}", "KH": "គយ {p}", "LA": "ພາສີ {p}", "TH": "ศุลกากร{p}", "MM": "Customs, {p}",
        "FR": "Douanes, {p}"}),
    AgencyKind.CIVIL_PROTECTION: ("Sécurité civile, {p}", {
        "VN": "Cảnh sát PCCC {p}", "KH": "អគ្គិភ័យ {p}", "LA": "ປ້ອງກັນອັກຄີໄພ {p}", "TH": "ป้องกันภัย{p}",
        "MM": "Fire Services, {p}", "FR": "Sécurité civile, {p}"}),
}

#: Host cities: (city, country, certificate serial prefix, weight).
CITIES = [("Hà Nội", "VN", "HAN", 30), ("Hồ Chí Minh-Ville", "VN", "HCM", 10), ("Đà Nẵng", "VN", "DAD", 5),
          ("Phnom Penh", "KH", "PNH", 18), ("Siem Reap", "KH", "REP", 5), ("Vientiane", "LA", "VTE", 15),
          ("Luang Prabang", "LA", "LPQ", 4), ("Bangkok", "TH", "BKK", 5), ("Paris", "FR", "PAR", 3),
          ("Melun", "FR", "MEL", 2)]
VENUES = ["Académie de police", "Centre de formation", "Hôtel Sofitel", "Institut français",
          "Ministère de la Sécurité publique", "École nationale supérieure de la police"]

#: Kind → (weight, capacity range, days range, share of sessions held in half-days).
KINDS = {
    SessionKind.COURSE: (45, (20, 60), (3, 10), 0.3),
    SessionKind.SEMINAR: (30, (40, 120), (1, 3), 0.5),
    SessionKind.CONFERENCE: (10, (150, 450), (1, 3), 0.2),
    SessionKind.STUDY_VISIT: (15, (10, 25), (4, 8), 0.0),
}

#: Theme → topics as (fr, en, vi, km, lo).
TOPICS = {
    Theme.MIGRATION: [
        ("Détection de la fraude documentaire", "Detecting document fraud", "Phát hiện gian lận giấy tờ",
         "ការរកឃើញការក្លែងបន្លំឯកសារ", "ການກວດພົບເອກະສານປອມ"),
        ("Contrôle aux frontières et immigration irrégulière", "Border control and irregular migration",
         "Kiểm soát biên giới và di cư trái phép", "ការត្រួតពិនិត្យព្រំដែន និងអន្តោប្រវេសន៍ខុសច្បាប់",
         "ການຄວບຄຸມຊາຍແດນ ແລະ ການເຂົ້າເມືອງຜິດກົດໝາຍ"),
    ],
    Theme.TRAFFICKING: [
        ("Protection des mineurs", "Child protection", "Bảo vệ trẻ em", "ការការពារអនីតិជន", "ການປົກປ້ອງເດັກ"),
        ("Lutte contre la traite des êtres humains", "Combating human trafficking", "Phòng, chống mua bán người",
         "ការប្រយុទ្ធប្រឆាំងការជួញដូរមនុស្ស", "ການຕ້ານການຄ້າມະນຸດ"),
    ],
    Theme.DRUGS: [
        ("Lutte contre le trafic de stupéfiants", "Combating drug trafficking", "Phòng, chống tội phạm ma túy",
         "ការប្រយុទ្ធប្រឆាំងការជួញដូរគ្រឿងញៀន", "ການຕ້ານການຄ້າຢາເສບຕິດ"),
        ("Enquêtes financières et saisie des avoirs", "Financial investigations and asset seizure",
         "Điều tra tài chính và thu hồi tài sản", "ការស៊ើបអង្កេតហិរញ្ញវត្ថុ", "ການສືບສວນການເງິນ"),
    ],
    Theme.COUNTERFEITS: [
        ("Médicaments contrefaits : enjeux de santé publique", "Counterfeit medicines and public health",
         "Thuốc giả và sức khỏe cộng đồng", "ឱសថក្លែងក្លាយ និងសុខភាពសាធារណៈ", "ຢາປອມ ແລະ ສຸຂະພາບ"),
    ],
    Theme.CIVIL_SECURITY: [
        ("Gestion de crise et secours", "Crisis management and rescue", "Quản lý khủng hoảng và cứu hộ",
         "ការគ្រប់គ្រងវិបត្តិ និងការសង្គ្រោះ", "ການຄຸ້ມຄອງວິກິດ ແລະ ການກູ້ໄພ"),
        ("Gestion d'une scène de crime", "Crime scene management", "Quản lý hiện trường vụ án",
         "ការគ្រប់គ្រងកន្លែងកើតហេតុ", "ການຄຸ້ມຄອງສະຖານທີ່ເກີດເຫດ"),
    ],
    Theme.OTHER: [
        ("Coopération policière internationale", "International police cooperation", "Hợp tác quốc tế về cảnh sát",
         "កិច្ចសហប្រតិបត្តិការប៉ូលិសអន្តរជាតិ", "ການຮ່ວມມືຕຳຫຼວດສາກົນ"),
    ],
}
LEVELS = [("", ""), (" — initiation", " — introduction"), (" — niveau avancé", " — advanced level")]
