"""Deterministic synthetic PIE programme at any size (`python -m pie demo`).

Same `participants` and `seed` give the same database on any machine and any day: every
random draw comes from one numpy PCG64 stream, in a fixed order, and "today" is AS_OF.
Everything is generated as numpy arrays (no per-row Python loops) and loaded table by
table into DuckDB from Arrow; the identifiers and strings are formatted by DuckDB.

The story the data tell (DESIGN.md): the PIE started in 2021-2022 at the CMCs of
Souss-Massa, Oriental and Laâyoune-Sakia El Hamra plus the ISTA of Benguérir and spreads
region by region (Tanger-Tétouan-Al Hoceima and Béni Mellal-Khénifra in 2024-2025, Dakhla
planned but not launched yet); most participants drop before the immersion studio; teams
write plans, BOA (then CAM…) finance some, MCISE (and others) incubate some, companies are
created, loans are repaid or fall behind.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pyarrow as pa

from pie import auth, db
from pie.errors import DatabaseNotEmpty, PieError

DEFAULT_SEED = 1
AS_OF = date(2026, 11, 15)   # fixed "today" of the demo so the same N and seed give the same database on any day
MIN_PARTICIPANTS = 100
MAX_PARTICIPANTS = 1_000_000

FIRST_YEAR, LAST_YEAR = 2021, 2026          # academic years 2021-2022 .. 2026-2027
YEARS = np.arange(FIRST_YEAR, LAST_YEAR + 1)
_EPOCH = date(1970, 1, 1)


def _day(d: date) -> int:
    return (d - _EPOCH).days


TODAY = _day(AS_OF)

# ------------------------------------------------------------------------------ reference lists
SECTORS = ("digital_ai", "industry", "health", "agriculture", "tourism", "renewable_energy",
           "ecommerce", "commerce_services", "construction", "crafts", "other")
SECTOR_P = np.array([.16, .09, .07, .12, .08, .05, .09, .17, .05, .07, .05])
WOMEN_SHARE = np.array([.38, .22, .62, .32, .45, .25, .55, .45, .12, .58, .42])   # by sector
S = {name: i for i, name in enumerate(SECTORS)}

PROFILES = ("trainee", "graduate", "trainer")
PROFILE_P = np.array([.70, .25, .05])
DELIVERY = ("in_person", "blended", "online")
PHASES = ("awareness", "fundamentals", "immersion")
STATUSES = ("in_progress", "completed", "dropped")


@dataclass(frozen=True)
class Region:
    code: str
    youth_k: int                 # people aged 15-29 in 2024, thousands (HCP RGPH 2024)
    cmc_city: str
    cities: tuple[str, ...]      # most populous first
    cin: tuple[str, ...]         # national-id letter prefixes of the region's cities
    launch: int | None           # academic year the PIE started there (None: not yet)


REGIONS = (
    Region("01", 934, "Tanger", ("Tanger", "Tétouan", "Ksar El Kébir", "Larache", "Al Hoceima", "Fnideq",
                                 "M'diq", "Chefchaouen", "Ouezzane", "Asilah"), ("K", "KB", "L", "LA", "LC", "R"), 2024),
    Region("02", 488, "Oujda", ("Oujda", "Nador", "Berkane", "Taourirt", "Guercif", "Jerada", "Zaïo",
                                "Driouch", "Bouarfa", "Figuig"), ("F", "FA", "FB", "FC", "FJ", "S"), 2021),
    Region("03", 963, "Fès", ("Fès", "Meknès", "Taza", "Sefrou", "El Hajeb", "Azrou", "Ifrane",
                              "Taounate", "Missour", "Imouzzer Kandar"), ("C", "CB", "CD", "D", "DA", "Z"), 2022),
    Region("04", 1125, "Rabat", ("Rabat", "Salé", "Kénitra", "Témara", "Khémisset", "Sidi Kacem",
                                 "Sidi Slimane", "Tiflet", "Skhirat", "Souk El Arbaa"), ("A", "AB", "AD", "AE", "G", "GA", "X"), 2022),
    Region("05", 542, "Béni Mellal", ("Béni Mellal", "Khouribga", "Fquih Ben Salah", "Khénifra", "Kasba Tadla",
                                      "Oued Zem", "Azilal", "Souk Sebt Oulad Nemma", "Demnate", "Bejaâd"),
           ("I", "IA", "IB", "Q", "QA"), 2024),
    Region("06", 1699, "Casablanca", ("Casablanca", "Mohammédia", "El Jadida", "Settat", "Berrechid",
                                      "Benslimane", "Sidi Bennour", "Bouskoura", "Azemmour", "Médiouna"),
           ("B", "BE", "BH", "BJ", "BK", "BL", "M", "W", "WA", "T"), 2023),
    Region("07", 1099, "Marrakech", ("Marrakech", "Safi", "El Kelâa des Sraghna", "Essaouira", "Benguérir",
                                     "Youssoufia", "Chichaoua", "Tamansourt", "Aït Ourir", "Amizmiz"),
           ("E", "EE", "EA", "H", "HA", "N"), 2021),
    Region("08", 371, "Errachidia", ("Errachidia", "Ouarzazate", "Midelt", "Tinghir", "Zagora", "Erfoud",
                                     "Rissani", "Goulmima", "Kelâat M'Gouna", "Boumalne Dadès"), ("U", "UA", "UB", "P", "PA"), 2023),
    Region("09", 665, "Agadir", ("Agadir", "Inezgane", "Aït Melloul", "Taroudant", "Tiznit", "Oulad Teima",
                                 "Biougra", "Dcheira El Jihadia", "Tata", "Aït Baha"), ("J", "JA", "JB", "JC", "JE", "JH", "JK"), 2021),
    Region("10", 89, "Guelmim", ("Guelmim", "Tan-Tan", "Sidi Ifni", "Assa", "Bouizakarne", "El Ouatia"),
           ("JY", "JT", "JF"), 2022),
    Region("11", 99, "Laâyoune", ("Laâyoune", "Es-Semara", "Boujdour", "Tarfaya", "El Marsa"), ("SH", "SJ", "SA"), 2021),
    Region("12", 51, "Dakhla", ("Dakhla", "Aousserd", "Bir Gandouz"), ("VA", "VB"), None),
)
_REGION_NAMES = {
    "01": "Tanger-Tétouan-Al Hoceima", "02": "Oriental", "03": "Fès-Meknès", "04": "Rabat-Salé-Kénitra",
    "05": "Béni Mellal-Khénifra", "06": "Casablanca-Settat", "07": "Marrakech-Safi", "08": "Drâa-Tafilalet",
    "09": "Souss-Massa", "10": "Guelmim-Oued Noun", "11": "Laâyoune-Sakia El Hamra", "12": "Dakhla-Oued Ed-Dahab",
}
PLANNED_NOT_LAUNCHED = {"12": LAST_YEAR}    # leadership planned Dakhla for 2026-2027; it slipped
BENGUERIR = ("07", "Benguérir")
# Order in which the first establishments are kept when the demo is small.
PRIORITY = ("09", "02", "11", BENGUERIR, "04", "06", "03", "01", "05", "07", "08", "10", "12")
ISTA_QUALIFIERS = ("", "NTIC", "Hôtellerie et Tourisme", "Gestion et Commerce", "Génie Électrique",
                   "Génie Mécanique", "BTP", "Industrie Automobile", "Textile et Habillement", "Santé",
                   "Agro-industrie", "Hay Salam", "Hay Mohammadi", "Al Massira")
QUALIFIER_W = np.array([6, 3, 2, 2, 1.5, 1.5, 1, .6, .6, 1, 1, .8, .8, .8])
ITA_QUALIFIERS = ("", "Agricole", "Hôtelier")

FIRST_F = ("Fatima Zahra", "Fatima", "Khadija", "Aïcha", "Meryem", "Salma", "Imane", "Hajar", "Sara", "Nora",
           "Zineb", "Hanane", "Asmae", "Soukaina", "Ikram", "Oumaima", "Chaimae", "Kawtar", "Hiba", "Nadia",
           "Samira", "Latifa", "Naima", "Malika", "Siham", "Houda", "Loubna", "Rajae", "Wiam", "Yasmine",
           "Ghizlane", "Btissam", "Hafsa", "Amal", "Karima", "Najat", "Souad", "Mouna", "Rim", "Ilham",
           "Sanae", "Nisrine", "Douae", "Safae", "Hind", "Ibtissam", "Manal", "Jihane", "Widad", "Fadwa")
FIRST_M = ("Mohamed", "Ahmed", "Youssef", "Hamza", "Omar", "Ayoub", "Mehdi", "Anas", "Amine", "Soufiane",
           "Yassine", "Othmane", "Ismaïl", "Abdellah", "Hassan", "Rachid", "Mustapha", "Saïd", "Karim", "Khalid",
           "Hicham", "Nabil", "Adil", "Tarik", "Redouane", "Zakaria", "Ilyas", "Achraf", "Badr", "Walid",
           "Bilal", "Reda", "Saad", "Younes", "Abdelaziz", "Abderrahim", "Brahim", "Lahcen", "Mohammed Amine",
           "Abdelkarim", "Driss", "Jamal", "Aziz", "Noureddine", "Marouane", "Ali", "Houssam", "Taha",
           "Oussama", "Imad")
FAMILY_COMMON = ("El Amrani", "Benali", "Alaoui", "El Idrissi", "Bennani", "Tazi", "Berrada", "El Fassi",
                 "Chraibi", "Lahlou", "Benjelloun", "Ouazzani", "El Mansouri", "Boukhari", "Naciri", "Filali",
                 "Kettani", "Sqalli", "El Khattabi", "Zerouali", "Belhaj", "Ziani", "Moussaoui", "Hamdaoui",
                 "El Ouardi", "Sabri", "Rami", "Hajji", "Lamrani", "El Hachimi", "Bakkali", "Tahiri", "Sebti",
                 "Kabbaj", "Slaoui", "Guessous", "Boutaleb", "El Baz", "Belkadi", "Rahmouni", "Jabri", "Daoudi",
                 "Chafik", "Bouazza", "El Malki", "Nejjar", "Saidi", "Azzouzi", "El Kadiri", "Mabrouk",
                 "Cherkaoui", "Benmoussa", "El Ghazi", "Bouzid", "Lazrak", "Touil", "Fikri", "El Yousfi",
                 "Hilali", "Karimi", "Mountassir", "Benchekroun", "Essaidi", "Raji", "Bouhaddou", "El Alami")
FAMILY_AMAZIGH = ("Ait Ali", "Ait Ouakrim", "Ait Lahcen", "Ouahmane", "Id Brahim", "Oubella", "Ait Said",
                  "Ouali", "Amzil", "Boutchich", "Ait Taleb", "Id Belkacem", "Oukhouya", "Agourram",
                  "Ait Benhaddou", "Akdim", "Amellal", "Ouchen", "Ait Hammou", "Id Ahmed")
FAMILY_HASSANI = ("Ould Ahmed", "Ma El Ainine", "El Ansari", "Boussoula", "Lahbib", "Ould Sidi",
                  "El Bouhali", "Laaroussi", "Khattri", "Mouloud", "Ould Mohamed", "Berkani")

PROJECT_NAMES = {
    "digital_ai": ("Plateforme de mise en relation artisans-clients", "Application mobile de covoiturage urbain",
                   "Agence de développement web et mobile", "Solution d'IA pour le tri des déchets",
                   "Plateforme de soutien scolaire en ligne", "Chatbot de service client en darija",
                   "Logiciel de gestion pour TPE", "Studio de création de jeux vidéo",
                   "Vision par ordinateur pour l'agriculture", "Application de réservation de terrains de sport",
                   "Agence de marketing digital", "Application de gestion de flotte"),
    "industry": ("Atelier de fabrication de pièces mécaniques", "Unité de recyclage du plastique",
                 "Atelier d'impression 3D", "Maintenance industrielle et automatismes",
                 "Unité de fabrication de palettes en bois", "Atelier de chaudronnerie",
                 "Fabrication de mobilier métallique", "Unité de conditionnement de produits d'entretien"),
    "health": ("Application de télémédecine", "Kinésithérapie à domicile", "Parapharmacie en ligne",
               "Soins infirmiers à domicile", "Laboratoire de cosmétiques naturels",
               "Centre de rééducation et de bien-être", "Plateforme de prise de rendez-vous médicaux",
               "Fabrication de blouses médicales"),
    "agriculture": ("Unité de valorisation de l'argan", "Serre hydroponique de légumes",
                    "Séchage de plantes aromatiques et médicinales", "Élevage caprin et fromagerie",
                    "Unité de conditionnement de dattes", "Apiculture et production de miel",
                    "Pépinière d'arbres fruitiers", "Production de safran", "Unité de trituration d'olives",
                    "Élevage avicole moderne", "Valorisation de la figue de Barbarie"),
    "tourism": ("Maison d'hôtes écologique", "Agence de tourisme rural", "Circuits de randonnée guidée",
                "Restaurant de cuisine traditionnelle", "Surf camp et hébergement", "Agence d'événementiel",
                "Bivouac et excursions dans le désert", "Location de vélos électriques"),
    "renewable_energy": ("Installation de panneaux solaires résidentiels", "Pompage solaire pour l'irrigation",
                         "Audit et efficacité énergétique", "Unité de production de biogaz",
                         "Maintenance de chauffe-eau solaires", "Éclairage public solaire",
                         "Fabrication de briquettes de biomasse"),
    "ecommerce": ("Plateforme e-commerce de produits du terroir", "Boutique en ligne de vêtements traditionnels",
                  "Marketplace d'artisanat marocain", "Livraison de paniers de fruits et légumes",
                  "Boutique en ligne de cosmétiques naturels", "Vente en ligne d'accessoires électroniques",
                  "Vente en ligne de pièces automobiles"),
    "commerce_services": ("Centre de formation en langues", "Agence de nettoyage professionnel",
                          "Service de livraison express", "Salon de coiffure et d'esthétique",
                          "Crèche et garderie", "Service traiteur", "Laverie automatique",
                          "Cabinet de comptabilité pour TPE", "Studio de photographie et vidéo",
                          "Atelier de réparation de smartphones"),
    "construction": ("Peinture et décoration intérieure", "Fabrication de briques écologiques",
                     "Travaux d'électricité du bâtiment", "Plomberie et sanitaire", "Menuiserie aluminium",
                     "Étanchéité et isolation thermique", "Bureau d'études topographiques"),
    "crafts": ("Atelier de tapis berbères", "Atelier de poterie et céramique", "Maroquinerie artisanale",
               "Atelier de zellige", "Broderie et couture traditionnelle", "Ébénisterie en bois de thuya",
               "Bijouterie en argent", "Tissage de couvertures en laine"),
    "other": ("Auto-école", "Salle de sport de quartier", "Studio de production musicale",
              "Agence de recrutement", "Centre d'activités pour enfants", "Société de gardiennage"),
}

BANKS = ("BOA", "CAM", "BP", "CIH", "AWB", "ALAMANA")
# bank shares by kind of plan: rows small non-agri, large non-agri, small agri, large agri
BANK_P = np.array([[.45, .12, .12, .00, .00, .31],
                   [.64, .16, .08, .06, .06, .00],
                   [.30, .40, .08, .00, .00, .22],
                   [.40, .48, .05, .03, .04, .00]])
PRODUCTS = ("intelaka", "microcredit", "honour_loan", "bank_loan", "other")
# product by bank (rows = BANKS) for small plans, then for large plans
PRODUCT_P_SMALL = np.array([[.30, .55, .05, .10, 0], [.30, .55, .05, .10, 0], [.10, .40, .50, 0, 0],
                            [.50, .20, 0, .30, 0], [.50, .20, 0, .30, 0], [0, 1, 0, 0, 0]])
PRODUCT_P_LARGE = np.array([[.82, 0, 0, .18, 0], [.80, 0, 0, .18, .02], [.55, 0, .25, .20, 0],
                            [.70, 0, 0, .30, 0], [.70, 0, 0, .30, 0], [0, 1, 0, 0, 0]])
BRANCH_QUARTERS = {
    "Agadir": ("Talborjt", "Hay Dakhla", "Founty", "Les Amicales"), "Casablanca": ("Maârif", "Hay Mohammadi",
    "Sidi Maârouf", "Aïn Sebaâ"), "Rabat": ("Agdal", "Hassan", "Hay Riad"), "Marrakech": ("Guéliz", "Daoudiate",
    "Massira"), "Fès": ("Ville Nouvelle", "Saïss", "Narjiss"), "Tanger": ("Boulevard Pasteur", "Beni Makada"),
    "Oujda": ("Boulevard Mohammed V", "Lazaret"), "Laâyoune": ("Al Wahda", "Hay Al Qods"),
    "Meknès": ("Hamria", "Marjane"), "Kénitra": ("Maamora", "Centre"),
}
DEFAULT_QUARTERS = ("Centre", "Avenue Hassan II")
REJECTION_REASONS = ("Apport personnel insuffisant", "Étude de marché insuffisante", "Garanties insuffisantes",
                     "Projet non viable", "Capacité de remboursement insuffisante", "Dossier incomplet",
                     "Prévisions financières irréalistes", "Porteur déjà endetté")
REJECTION_P = np.array([.24, .18, .18, .12, .12, .08, .05, .03])

INCUBATORS = ("MCISE", "Réseau Entreprendre Maroc", "Technopark Agadir", "Technopark Casablanca",
              "Technopark Rabat", "Technopark Tanger")
TECHNOPARK_OF_REGION = {"09": 2, "06": 3, "04": 4, "01": 5}
STAGES = ("pre_incubation", "incubation", "acceleration", "post_creation")
EXIT_REASONS = ("advanced", "graduated", "abandoned")
SESSION_KINDS = ("coaching", "mentoring", "bank_advice", "workshop", "study_trip")
LEGAL_FORMS = ("auto_entrepreneur", "sole_proprietorship", "sarl", "sarl_au", "cooperative", "other")
LOAN_STATUSES = ("current", "late", "repaid", "written_off")
COMPANY_STATUSES = ("active", "closed")
TARGET_METRICS = ("participants", "immersion_completed", "plans_validated", "projects_financed",
                  "companies_created")

# Relative time each step takes at 1M participants (for the progress bar).
STEP_WEIGHTS = {"establishments": 1, "cohorts": 1, "participants": 14, "participant_contacts": 30,
                "phase_progress": 18, "projects": 3, "project_members": 3, "business_plans": 2,
                "financing_decisions": 2, "incubation_stages": 1, "coaching_sessions": 3, "companies": 1,
                "loan_followups": 2, "company_followups": 1, "targets": 1, "snapshot": 12}


# ------------------------------------------------------------------------------ public API
def build_demo(db_path: Path, participants: int = 3000, seed: int = DEFAULT_SEED,
               progress: Callable[[str, float], None] | None = None, force: bool = False) -> dict[str, int]:
    """Fill db_path (creating it with the schema if absent) with a synthetic programme of about `participants` participants; returns rows per table.

    An existing demo database is rebuilt from scratch; a database holding real data is
    refused (DatabaseNotEmpty) unless `force`. `progress(step, fraction)` is called as
    tables are written. Raises PieError when `participants` is outside 100..1,000,000.
    """
    if isinstance(participants, bool) or not isinstance(participants, (int, np.integer)) \
            or not MIN_PARTICIPANTS <= participants <= MAX_PARTICIPANTS:
        # The bounds are written in the message of each language (demo.error.participants).
        raise PieError(key="demo.error.participants", participants=participants)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise PieError(key="demo.error.seed", seed=seed)
    db_path = Path(db_path)
    report = progress or (lambda step, fraction: None)
    _refuse_real_data(db_path, force)
    report("schema", 0.0)
    db.init_database(db_path, force=True, publish=False)  # readers keep the old snapshot meanwhile

    total = sum(STEP_WEIGHTS.values())
    done = 0.0
    counts: dict[str, int] = {}
    with db.writing(db_path, transaction=False) as con:
        con.execute("set enable_progress_bar = false")      # the caller draws its own
        # Marked as demo first: if the build is interrupted, the next `demo` may rebuild it.
        for key, value in (("is_demo", "true"), ("demo_participants", str(int(participants))),
                           ("demo_seed", str(int(seed))), ("demo_as_of", AS_OF.isoformat())):
            con.execute("insert into app_meta values ($key, $value) "
                        "on conflict (key) do update set value = excluded.value", {"key": key, "value": value})
        for table, frame, select_sql in _Programme(int(participants), int(seed)).tables():
            con.register("demo_frame", frame)
            try:
                con.execute(f"insert into {table} {select_sql}")
            finally:
                con.unregister("demo_frame")
            counts[table] = con.execute(f"select count(*) from {table}").fetchall()[0][0]
            done += STEP_WEIGHTS[table]
            report(table, done / total)
        report("snapshot", done / total)
    auth.create_demo_accounts(db_path)
    report("snapshot", 1.0)
    return counts


def _refuse_real_data(db_path: Path, force: bool) -> None:
    if not db_path.exists() or force:
        return
    con = db.connect_for_writing(db_path)
    try:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        is_demo = "app_meta" in tables and db.meta(con).get("is_demo") == "true"
        empty = db.is_empty(con)
    finally:
        con.close()
    if not is_demo and not empty:
        raise DatabaseNotEmpty(key="demo.error.real_data", path=db_path)


# ------------------------------------------------------------------------------ helpers
def _pick(rng: np.random.Generator, probs, size: int) -> np.ndarray:
    """`size` draws of an index with probabilities `probs`."""
    cdf = np.cumsum(np.asarray(probs, dtype=float))
    idx = np.searchsorted(cdf / cdf[-1], rng.random(size), side="right")
    return np.minimum(idx, len(cdf) - 1).astype(np.int16)


def _pick_rows(rng: np.random.Generator, prob_matrix: np.ndarray, row: np.ndarray) -> np.ndarray:
    """One draw per element of `row`, with probabilities prob_matrix[row]."""
    cdf = np.cumsum(prob_matrix, axis=1)
    cdf = cdf / cdf[:, -1:]
    u = rng.random(len(row))
    idx = np.zeros(len(row), dtype=np.int16)
    for k in range(prob_matrix.shape[1] - 1):     # a loop over categories, not rows
        idx += u >= cdf[row, k]
    return idx


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _chance(rng: np.random.Generator, p: float, tilt: np.ndarray) -> np.ndarray:
    """One Bernoulli draw per element of `tilt`: probability p, shifted on the logit scale by tilt."""
    if p <= 0:
        return np.zeros(len(tilt), dtype=bool)
    return rng.random(len(tilt)) < 1 / (1 + np.exp(-(_logit(p) + tilt)))


def _between(rng: np.random.Generator, low: int, high: int, size: int) -> np.ndarray:
    """Integers in low..high inclusive (int32)."""
    return rng.integers(low, high + 1, size).astype(np.int32)


def _date(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(days, dtype=np.int32), mask=None if valid is None else ~valid).view(pa.date32())


def _cat(codes: np.ndarray, labels, valid: np.ndarray | None = None) -> pa.Array:
    """Codes as an Arrow dictionary of their labels (DuckDB reads it as text)."""
    indices = pa.array(np.asarray(codes, dtype=np.int32), mask=None if valid is None else ~valid)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(labels), pa.string()))


def _money(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.round(values, 2), mask=None if valid is None else ~valid)


def _group_starts(keys: np.ndarray) -> np.ndarray:
    """Start positions of runs of equal values in a sorted array."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])


def _ranks_within(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2… within runs of equal values of a sorted array."""
    starts = _group_starts(groups)
    sizes = np.diff(np.r_[starts, len(groups)])
    return np.arange(len(groups)) - np.repeat(starts, sizes)


def _ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _id(prefix: str, column: str, width: int) -> str:
    """SQL expression of a formatted identifier (`P-0000001`) from an integer column."""
    return f"'{prefix}' || lpad(cast({column} as varchar), {width}, '0')"


def _year_labels() -> list[str]:
    """'2021-2022' … (index = year − FIRST_YEAR)."""
    return [f"{y}-{y + 1}" for y in range(FIRST_YEAR, LAST_YEAR + 2)]


def _quarter_ends(first: int, last: int) -> np.ndarray:
    ends = [date(y, m, d) for y in range(first, last + 1) for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))]
    return np.array([_day(d) for d in ends if d <= AS_OF], dtype=np.int32)


# ------------------------------------------------------------------------------ the generator
Table = tuple[str, pa.Table, str]


class _Programme:
    """Generates the programme table by table; each step uses the arrays of the previous."""

    def __init__(self, participants: int, seed: int):
        self.n_target = participants
        self.rng = np.random.Generator(np.random.PCG64(seed))

    def tables(self) -> Iterator[Table]:
        yield self._establishments()
        yield self._cohorts()
        yield self._participants()
        yield self._contacts()
        yield self._phases()
        yield from self._projects()
        yield self._plans()
        yield self._decisions()
        companies = self._companies_draw()      # incubation and loans depend on them
        yield self._incubation()
        yield self._sessions()
        yield companies
        yield self._loan_followups()
        yield self._company_followups()
        yield self._targets()

    # -------------------------------------------------------------- establishments
    def _establishments(self) -> Table:
        rng = self.rng
        n = int(np.clip(round(self.n_target / 1000), 8, 300))
        region_index = {r.code: i for i, r in enumerate(REGIONS)}
        rows: list[tuple[int, str, str, str]] = []       # region index, kind, name, city
        for item in PRIORITY[:n]:
            if item == BENGUERIR:
                rows.append((region_index["07"], "ista", "ISTA Benguérir", "Benguérir"))
            else:
                region = REGIONS[region_index[item]]
                rows.append((region_index[item], "cmc", f"CMC {_REGION_NAMES[item]}", region.cmc_city))
        extra = n - len(rows)
        if extra > 0:
            youth = np.array([r.youth_k for r in REGIONS], dtype=float)
            per_region = rng.multinomial(extra, youth / youth.sum())
            for ri, (region, k) in enumerate(zip(REGIONS, per_region)):
                combos = [(city, q) for city in region.cities for q in range(len(ISTA_QUALIFIERS))
                          if (region.code, city, q) != ("07", "Benguérir", 0)]
                weights = np.array([1 / (1 + region.cities.index(c)) * QUALIFIER_W[q] for c, q in combos])
                k = min(k, len(combos))
                chosen = np.sort(rng.choice(len(combos), size=k, replace=False, p=weights / weights.sum()))
                is_ita = rng.random(k) < 0.15
                for j, ita in zip(chosen, is_ita):
                    city, q = combos[j]
                    if ita:
                        qual = ITA_QUALIFIERS[q % len(ITA_QUALIFIERS)]
                        name = f"ITA {qual} {city}" if qual else f"ITA {city}"
                        rows.append((ri, "ita", name, city))
                    else:
                        qual = ISTA_QUALIFIERS[q]
                        rows.append((ri, "ista", f"ISTA {qual} {city}" if qual else f"ISTA {city}", city))
        # unique names (an ITA and an ISTA may fall on the same city and qualifier)
        seen: set[str] = set()
        unique_rows = []
        for row in rows:
            if row[2] not in seen:
                seen.add(row[2])
                unique_rows.append(row)
        kind_order = {"cmc": 0, "ista": 1, "ita": 2}
        unique_rows.sort(key=lambda r: (r[0], kind_order[r[1]], r[2]))
        self.est_region = np.array([r[0] for r in unique_rows], dtype=np.int16)
        self.est_kind = np.array([kind_order[r[1]] for r in unique_rows], dtype=np.int8)
        self.est_names = [r[2] for r in unique_rows]
        self.est_city_names = [r[3] for r in unique_rows]
        n = len(unique_rows)

        # launch year: the CMC when the region starts, the others later (Benguérir in 2021)
        launch = np.full(n, 9999, dtype=np.int32)
        offsets = _pick(rng, [.35, .25, .15, .10, .06, .05, .04], n)
        for i, (ri, kind, name, city) in enumerate(unique_rows):
            region = REGIONS[ri]
            if region.launch is None:
                continue
            if name == "ISTA Benguérir":
                launch[i] = FIRST_YEAR
            elif kind == "cmc":
                launch[i] = region.launch if region.code != "07" else FIRST_YEAR + 1
            else:
                earliest = max(region.launch, FIRST_YEAR + 1)
                launch[i] = earliest + offsets[i]
        self.est_launch = np.where(launch > LAST_YEAR, 9999, launch)
        self.est_quality = rng.normal(0, 0.35, n)           # some establishments convert better
        self.n_est = n
        self.est_size = np.where(self.est_kind == 0, 2.2, np.where(self.est_kind == 1, 1.0, 0.7)) \
            * rng.lognormal(0, 0.3, n)
        return self._cohort_dates_then_establishments()

    def _cohort_dates_then_establishments(self) -> Table:
        """Cohorts are drawn here because pie_launch_date is the start of the first cohort."""
        rng = self.rng
        est, year = [], []
        for y in YEARS:                                   # loop over 6 years, not rows
            launched = np.flatnonzero(self.est_launch <= y)
            est.append(launched)
            year.append(np.full(len(launched), y, dtype=np.int32))
        self.coh_est = np.concatenate(est).astype(np.int32)
        self.coh_year = np.concatenate(year)
        n = len(self.coh_est)
        start = np.array([_day(date(int(y), 9, 15)) for y in self.coh_year], dtype=np.int32)
        span = np.where(self.coh_year == LAST_YEAR, 40, 56)       # current year: started by Oct 25
        self.coh_start = start + np.floor(rng.random(n) * (span + 1)).astype(np.int32)
        self.coh_mode = _pick(rng, [.75, .20, .05], n)
        self.coh_region = self.est_region[self.coh_est]
        first = np.full(self.n_est, np.iinfo(np.int32).max, dtype=np.int64)
        np.minimum.at(first, self.coh_est, self.coh_start)
        launched = first < np.iinfo(np.int32).max
        frame = pa.table({
            "i": np.arange(1, self.n_est + 1, dtype=np.int32),
            "name": pa.array(self.est_names),
            "kind": _cat(self.est_kind, ("cmc", "ista", "ita")),
            "region_code": _cat(self.est_region, [r.code for r in REGIONS]),
            "city": pa.array(self.est_city_names),
            "pie_launch_date": _date(np.where(launched, first, 0), launched),
        })
        return ("establishments", frame,
                f"select {_id('E-', 'i', 4)}, name, kind, region_code, city, pie_launch_date from demo_frame")

    # -------------------------------------------------------------- cohorts
    def _cohorts(self) -> Table:
        n = len(self.coh_est)
        frame = pa.table({
            "i": np.arange(1, n + 1, dtype=np.int32),
            "e": self.coh_est + 1,
            "academic_year": _cat(self.coh_year - FIRST_YEAR, _year_labels()),
            "start_date": _date(self.coh_start),
            "delivery_mode": _cat(self.coh_mode, DELIVERY),
        })
        return ("cohorts", frame,
                f"select {_id('C-', 'i', 6)}, {_id('E-', 'e', 4)}, academic_year, start_date, delivery_mode "
                "from demo_frame")

    # -------------------------------------------------------------- participants
    def _participants(self) -> Table:
        rng = self.rng
        n_coh = len(self.coh_est)
        # the programme scales up: bigger cohorts each year, smaller in an establishment's first year
        growth = 1.0 + 0.30 * (self.coh_year - FIRST_YEAR)
        first_year = self.coh_year == self.est_launch[self.coh_est]
        weight = growth * self.est_size[self.coh_est] * np.where(first_year, 0.6, 1.0)
        base = min(5, self.n_target // (2 * n_coh))
        sizes = base + rng.multinomial(self.n_target - base * n_coh, weight / weight.sum())
        n = int(sizes.sum())
        self.n = n
        cohort = np.repeat(np.arange(n_coh, dtype=np.int32), sizes)
        year = self.coh_year[cohort]
        region = self.coh_region[cohort]

        # sectors lean on the regional economy
        region_sector = np.tile(SECTOR_P, (len(REGIONS), 1))
        for code, sector, factor in (("09", "agriculture", 1.6), ("09", "tourism", 1.5), ("07", "tourism", 1.8),
                                     ("07", "crafts", 1.4), ("02", "agriculture", 1.4), ("05", "agriculture", 1.8),
                                     ("08", "tourism", 1.6), ("08", "renewable_energy", 2.2),
                                     ("06", "industry", 1.5), ("06", "digital_ai", 1.3), ("04", "digital_ai", 1.3),
                                     ("01", "industry", 1.6), ("11", "renewable_energy", 2.0),
                                     ("03", "crafts", 1.5), ("10", "agriculture", 1.3), ("12", "tourism", 1.5)):
            region_sector[[r.code for r in REGIONS].index(code), S[sector]] *= factor
        sector = _pick_rows(rng, region_sector, region)
        women = WOMEN_SHARE[sector] + 0.006 * (year - FIRST_YEAR)     # slowly rising
        gender = (rng.random(n) >= women).astype(np.int8)          # 0 = f, 1 = m
        profile = _pick(rng, PROFILE_P, n)
        mean_age = np.array([20.0, 24.0, 38.0])[profile]
        sd_age = np.array([1.8, 2.4, 7.0])[profile]
        low_age = np.array([17, 20, 25])[profile]
        high_age = np.array([27, 30, 55])[profile]
        age = np.clip(np.round(rng.normal(mean_age, sd_age)), low_age, high_age).astype(np.int32)
        enrolled = self.coh_start[cohort] + _between(rng, 0, 20, n)
        # ids follow cohort then enrolment date
        order = np.lexsort((enrolled, cohort))
        self.p_cohort, self.p_sector, self.p_gender = cohort[order], sector[order], gender[order]
        self.p_enrolled, self.p_profile = enrolled[order], profile[order]
        self.p_year, self.p_region = year[order], region[order]
        frame = pa.table({
            "i": np.arange(1, n + 1, dtype=np.int32),
            "c": self.p_cohort + 1,
            "gender": _cat(self.p_gender, ("f", "m")),
            "birth_year": (self.p_year - age[order]).astype(np.int32),
            "profile": _cat(self.p_profile, PROFILES),
            "sector": _cat(self.p_sector, SECTORS),
            "enrolled_on": _date(self.p_enrolled),
        })
        return ("participants", frame,
                f"select {_id('P-', 'i', 7)}, {_id('C-', 'c', 6)}, gender, birth_year, profile, sector, "
                "enrolled_on from demo_frame")

    def _contacts(self) -> Table:
        rng, n = self.rng, self.n
        region = self.p_region
        first_f = _pick(rng, 1 / np.sqrt(np.arange(1, len(FIRST_F) + 1)), n)
        first_m = _pick(rng, 1 / np.sqrt(np.arange(1, len(FIRST_M) + 1)), n)
        female = self.p_gender == 0
        first = np.where(female, first_f, first_m + len(FIRST_F))
        # family names: Amazigh names are common in the Souss and the south-east, Hassani ones in the Sahara
        pool_p = np.array([[.85, .13, .02]] * len(REGIONS))
        for code, probs in (("09", [.45, .53, .02]), ("08", [.55, .43, .02]), ("10", [.40, .30, .30]),
                            ("11", [.40, .10, .50]), ("12", [.40, .10, .50]), ("05", [.70, .28, .02])):
            pool_p[[r.code for r in REGIONS].index(code)] = probs
        pool = _pick_rows(rng, pool_p, region)
        sizes = np.array([len(FAMILY_COMMON), len(FAMILY_AMAZIGH), len(FAMILY_HASSANI)])
        offsets = np.r_[0, np.cumsum(sizes)[:-1]]
        family = offsets[pool] + np.floor(rng.random(n) * sizes[pool]).astype(np.int32)
        families = FAMILY_COMMON + FAMILY_AMAZIGH + FAMILY_HASSANI
        firsts = FIRST_F + FIRST_M

        prefix_lists = [r.cin for r in REGIONS]
        cin_labels = sorted({p for lst in prefix_lists for p in lst})
        lookup = np.zeros((len(REGIONS), max(map(len, prefix_lists))), dtype=np.int32)
        counts = np.array([len(lst) for lst in prefix_lists])
        for ri, lst in enumerate(prefix_lists):
            lookup[ri, :len(lst)] = [cin_labels.index(p) for p in lst]
        # most people hold a CIN of their own region, some were born elsewhere
        home = np.where(rng.random(n) < 0.85, region, _pick(rng, [r.youth_k for r in REGIONS], n))
        cin_prefix = lookup[home, np.floor(rng.random(n) * counts[home]).astype(np.int32)]
        cin_number = (rng.permutation(max(n, 999_999))[:n] % 999_999 + 1).astype(np.int32)

        phone_digit = np.where(rng.random(n) < 0.7, 6, 7).astype(np.int8)
        phone_rest = rng.integers(0, 100_000_000, n).astype(np.int64)
        has_email = rng.random(n) < 0.70
        pattern = _pick(rng, [.6, .25, .15], n)
        frame = pa.table({
            "i": np.arange(1, n + 1, dtype=np.int32),
            "first": _cat(first, firsts),
            "family": _cat(family, families),
            "first_slug": _cat(first, [_ascii_slug(x) for x in firsts]),
            "family_slug": _cat(family, [_ascii_slug(x) for x in families]),
            "pattern": pattern.astype(np.int8),
            "cin_prefix": _cat(cin_prefix, cin_labels),
            "cin_number": cin_number,
            "phone_digit": phone_digit,
            "phone_rest": phone_rest,
            "has_email": has_email,
        })
        select = f"""
            with named as (
                select
                    i,
                    first || ' ' || family as full_name,
                    cin_prefix || cast(cin_number as varchar) as national_id,
                    '+212' || cast(phone_digit as varchar) || lpad(cast(phone_rest as varchar), 8, '0') as phone,
                    has_email,
                    case pattern
                        when 0 then first_slug || '.' || family_slug
                        when 1 then first_slug || family_slug
                        else family_slug || '.' || first_slug
                    end as local_part
                from demo_frame
            ),
            numbered as (
                select *, row_number() over (partition by has_email, local_part order by i) as nth
                from named
            )
            select
                {_id('P-', 'i', 7)},
                full_name,
                national_id,
                phone,
                case when has_email then
                    local_part || case when nth > 1 then cast(nth as varchar) else '' end || '@example.ma'
                end
            from numbered"""
        return ("participant_contacts", frame, select)

    # -------------------------------------------------------------- phases
    def _phases(self) -> Table:
        """Awareness → fundamentals → immersion; most drop before immersion.

        Each phase is planned (start, duration, will complete or drop) and then cut at AS_OF:
        a phase not started by then has no row, one under way is in_progress.
        """
        rng, n = self.rng, self.n
        year = self.p_year
        quality = self.est_quality[self.coh_est[self.p_cohort]] + 0.08 * (year - FIRST_YEAR)
        # a few participants of past cohorts stalled: their phase stays in_progress, nobody closed it
        stall_p = np.where(year == LAST_YEAR - 1, 0.03, np.where(year < LAST_YEAR - 1, 0.005, 0.0))
        stalled = rng.random(n) < stall_p
        stall_phase = _between(rng, 0, 2, n)
        reach = (0.95, 0.70, 0.45)
        complete = (0.85, 0.70, 0.75)
        gap = ((0, 7), (3, 30), (7, 45))               # days between phases
        duration = ((14, 28), (42, 70), (56, 84))
        full_hours = ((10, 20), (40, 80), (80, 150))
        eligible = np.ones(n, dtype=bool)
        previous_end = self.p_enrolled.copy()
        parts = []
        self.phase_status = []
        self.phase_start, self.phase_end = [], []
        for k in range(3):                              # a loop over the three phases
            has = eligible & _chance(rng, reach[k], 0.6 * quality)
            start = previous_end + _between(rng, *gap[k], n)
            dur = _between(rng, *duration[k], n)
            end = start + dur
            will_complete = _chance(rng, complete[k], 0.8 * quality)
            drop_day = start + np.floor(dur * rng.uniform(0.1, 0.9, n)).astype(np.int32)
            has &= start <= TODAY
            status = np.full(n, -1, dtype=np.int8)
            status[has] = 0                                        # in_progress unless…
            status[has & will_complete & (end <= TODAY)] = 1       # completed
            status[has & ~will_complete & (drop_day <= TODAY)] = 2  # dropped
            stall_here = has & stalled & (stall_phase == k)
            status[stall_here] = 0
            hours_full = rng.uniform(*full_hours[k], n)
            done_share = np.where(status == 1, 1.0, np.where(
                status == 2, (drop_day - start) / dur, np.clip((TODAY - start) / dur, 0.05, 0.95)))
            hours = np.round(hours_full * done_share * 2) / 2
            rows = np.flatnonzero(has)
            parts.append((rows, np.full(len(rows), k, np.int8), status[rows], start[rows], end[rows], hours[rows]))
            self.phase_status.append(status)
            self.phase_start.append(start)
            self.phase_end.append(end)
            eligible = status == 1
            previous_end = end
        who = np.concatenate([p[0] for p in parts])
        order = np.lexsort((np.concatenate([p[1] for p in parts]), who))
        who = who[order]
        status = np.concatenate([p[2] for p in parts])[order]
        completed = status == 1
        frame = pa.table({
            "i": (who + 1).astype(np.int32),
            "phase": _cat(np.concatenate([p[1] for p in parts])[order], PHASES),
            "status": _cat(status, STATUSES),
            "started_on": _date(np.concatenate([p[3] for p in parts])[order]),
            "completed_on": _date(np.concatenate([p[4] for p in parts])[order], completed),
            "hours_attended": np.concatenate([p[5] for p in parts])[order],
        })
        return ("phase_progress", frame,
                f"select {_id('P-', 'i', 7)}, phase, status, started_on, completed_on, hours_attended "
                "from demo_frame")

    # -------------------------------------------------------------- projects and teams
    def _projects(self) -> Iterator[Table]:
        rng = self.rng
        im_status, im_start = self.phase_status[2], self.phase_start[2]
        joins = (im_status >= 0) & (rng.random(self.n) < np.where(im_status == 2, 0.6, 0.95))
        people = np.flatnonzero(joins)
        order = np.lexsort((rng.random(len(people)), self.p_cohort[people]))
        members = people[order]
        m = len(members)
        cohort = self.p_cohort[members]
        # teams of 1–5 (mostly 2–4), never across cohorts
        sizes = _pick(rng, [.08, .27, .35, .22, .08], m) + 1
        ends = np.cumsum(sizes)
        boundary = np.zeros(m, dtype=bool)
        boundary[ends[ends < m]] = True
        if m:
            boundary[0] = True
            boundary[1:] |= cohort[1:] != cohort[:-1]
        team = (np.cumsum(boundary) - 1).astype(np.int32)
        starts = np.flatnonzero(boundary)
        n_proj = len(starts)
        self.n_proj = n_proj
        self.pr_cohort = cohort[starts] if m else np.zeros(0, np.int32)
        self.pr_size = np.diff(np.r_[starts, m]).astype(np.int32)
        latest_start = np.maximum.reduceat(im_start[members], starts) if m else np.zeros(0, np.int32)
        self.pr_created = np.minimum(latest_start + _between(rng, 5, 21, n_proj), TODAY).astype(np.int32)
        self.pr_region = self.coh_region[self.pr_cohort]
        self.pr_year = self.coh_year[self.pr_cohort]
        self.pr_est = self.coh_est[self.pr_cohort]

        # the project's sector is its team's most common sector (the lead's on a tie)
        sector = self.p_sector[members].astype(np.int64)
        lead_sector = sector[starts] if m else np.zeros(0, np.int64)
        key = team.astype(np.int64) * 16 + sector
        uniq, count = np.unique(key, return_counts=True)
        t, s = uniq // 16, uniq % 16
        score = count * 2 + (s == lead_sector[t])
        best = np.lexsort((-score, t))
        first = _group_starts(t[best])
        self.pr_sector = s[best][first].astype(np.int16)
        # a latent "quality" drives the whole later path of a project (plan, loan, company)
        self.pr_quality = rng.normal(0, 1, n_proj) + 0.5 * self.est_quality[self.pr_est]

        offsets = np.r_[0, np.cumsum([len(PROJECT_NAMES[x]) for x in SECTORS])[:-1]]
        counts = np.array([len(PROJECT_NAMES[x]) for x in SECTORS])
        name_idx = offsets[self.pr_sector] + np.floor(rng.random(n_proj) * counts[self.pr_sector]).astype(np.int32)
        with_place = rng.random(n_proj) < 0.35
        names = [name for x in SECTORS for name in PROJECT_NAMES[x]]
        frame = pa.table({
            "i": np.arange(1, n_proj + 1, dtype=np.int32),
            "c": (self.pr_cohort + 1).astype(np.int32),
            "idea": _cat(name_idx, names),
            "city": _cat(self.pr_est, self.est_city_names),
            "with_place": with_place,
            "sector": _cat(self.pr_sector, SECTORS),
            "created_on": _date(self.pr_created),
        })
        yield ("projects", frame,
               f"select {_id('PR-', 'i', 6)}, {_id('C-', 'c', 6)}, "
               "case when with_place then idea || ' à ' || city else idea end, sector, created_on from demo_frame")

        role = np.where(boundary, 0, 1).astype(np.int8)
        order = np.lexsort((members, team))
        frame = pa.table({
            "pr": (team[order] + 1).astype(np.int32),
            "p": (members[order] + 1).astype(np.int32),
            "role": _cat(role[order], ("lead", "member")),
        })
        yield ("project_members", frame,
               f"select {_id('PR-', 'pr', 6)}, {_id('P-', 'p', 7)}, role from demo_frame")

    # -------------------------------------------------------------- business plans
    def _plans(self) -> Table:
        rng, n = self.rng, self.n_proj
        q = self.pr_quality
        has_plan = _chance(rng, 0.86, 0.5 * q)
        abandoned_draft = rng.random(n) < 0.04
        small = rng.random(n) < 0.25          # micro-credit sized plans
        sector_factor = np.array([.8, 1.4, 1.2, 1.2, 1.1, 1.3, .7, .9, 1.3, .7, .9])[self.pr_sector]
        amount = np.where(small, rng.lognormal(np.log(22_000), 0.45, n), rng.lognormal(np.log(95_000), 0.5, n)
                          * sector_factor)
        amount = np.where(small, np.clip(amount, 5_000, 50_000), np.clip(amount, 30_000, 300_000))
        amount = np.round(amount / 1000) * 1000
        jobs = np.clip(self.pr_size + rng.poisson(1.0, n) - 1 + (~small), 1, 8).astype(np.int32)

        def version(submit, p_validated):
            status = np.where(submit > TODAY, 0, 1).astype(np.int8)        # draft / submitted
            review = submit + _between(rng, 10, 60, n)
            reviewed = (status == 1) & (review <= TODAY)
            validated = _chance(rng, p_validated, 0.9 * q)
            status[reviewed] = np.where(validated[reviewed], 2, 3)
            return status, review

        submit1 = self.pr_created + _between(rng, 30, 120, n)
        submit1 = np.where(abandoned_draft, TODAY + 1, submit1)
        status1, review1 = version(submit1, 0.68)
        v2 = has_plan & (status1 == 3) & (rng.random(n) < 0.5)
        submit2 = review1 + _between(rng, 20, 90, n)
        status2, review2 = version(submit2, 0.80)
        amount2 = np.maximum(np.round(amount * rng.uniform(0.75, 1.0, n) / 1000) * 1000, 5_000)   # revised down

        p1 = np.flatnonzero(has_plan)
        p2 = np.flatnonzero(v2)
        project = np.r_[p1, p2]
        ver = np.r_[np.ones(len(p1), np.int32), np.full(len(p2), 2, np.int32)]
        status = np.r_[status1[p1], status2[p2]]
        submitted = np.r_[submit1[p1], submit2[p2]]
        reviewed = np.r_[review1[p1], review2[p2]]
        requested = np.r_[amount[p1], amount2[p2]]
        order = np.lexsort((ver, project))
        self.bp_project, self.bp_version = project[order], ver[order]
        self.bp_status, self.bp_submitted = status[order], submitted[order]
        self.bp_reviewed, self.bp_requested = reviewed[order], requested[order]
        self.bp_small = small[self.bp_project]
        self.n_bp = len(order)
        frame = pa.table({
            "i": np.arange(1, self.n_bp + 1, dtype=np.int32),
            "pr": (self.bp_project + 1).astype(np.int32),
            "version": self.bp_version,
            "status": _cat(self.bp_status, ("draft", "submitted", "validated", "rejected")),
            "submitted_on": _date(self.bp_submitted, self.bp_status > 0),
            "reviewed_on": _date(self.bp_reviewed, self.bp_status > 1),
            "requested_amount_mad": self.bp_requested,
            "planned_jobs": jobs[self.bp_project],
        })
        # projects with a validated plan (for later steps)
        self.pr_validated_on = np.full(n, -1, dtype=np.int32)
        val = self.bp_status == 2
        self.pr_validated_on[self.bp_project[val]] = self.bp_reviewed[val]
        return ("business_plans", frame,
                f"select {_id('BP-', 'i', 6)}, {_id('PR-', 'pr', 6)}, version, status, submitted_on, reviewed_on, "
                "requested_amount_mad, planned_jobs from demo_frame")

    # -------------------------------------------------------------- financing decisions
    def _decisions(self) -> Table:
        rng = self.rng
        # the latest version of each project's plan is the one banks look at
        last = np.r_[self.bp_project[1:] != self.bp_project[:-1], True] if self.n_bp else np.zeros(0, bool)
        plan = np.flatnonzero(last & ((self.bp_status == 1) | (self.bp_status == 2)))
        validated = self.bp_status[plan] == 2
        wants = np.where(validated, rng.random(len(plan)) < 0.92, rng.random(len(plan)) < 0.35)
        plan, validated = plan[wants], validated[wants]
        k = len(plan)
        project = self.bp_project[plan]
        q = self.pr_quality[project]
        agri = self.pr_sector[project] == S["agriculture"]
        kind = np.where(self.bp_small[plan], 0, 1) + 2 * agri
        bank = _pick_rows(rng, BANK_P, kind)
        decided = np.maximum(self.bp_reviewed[plan], self.bp_submitted[plan]) + _between(rng, 10, 90, k)
        decided = np.where(validated, decided, TODAY + 1)            # plans under review: pending
        approved = validated & _chance(rng, 0.66, 0.8 * q)
        decision = np.where(decided > TODAY, 0, np.where(approved, 1, 2)).astype(np.int8)
        # tiny demos: every table must hold rows, so if no approval came early enough for a loan
        # report, the earliest rejection becomes an approval
        last_report = _quarter_ends(FIRST_YEAR, AS_OF.year)[-1]
        early = decided <= last_report
        if not (early & (decision == 1)).any() and (early & (decision == 2)).any():
            rejected = np.flatnonzero(decision == 2)
            decision[rejected[np.argmin(decided[rejected])]] = 1

        # occasionally, after a rejection, the team tries another bank
        again = (decision == 2) & (rng.random(k) < 0.15)
        r = np.flatnonzero(again)
        bank2 = np.where(bank[r] == 0, 1, 0).astype(np.int16)        # BOA → CAM, others → BOA
        decided2 = decided[r] + _between(rng, 20, 90, len(r))
        approved2 = _chance(rng, 0.55, 0.8 * q[r])
        decision2 = np.where(decided2 > TODAY, 0, np.where(approved2, 1, 2)).astype(np.int8)

        d_plan = np.r_[plan, plan[r]]
        d_seq = np.r_[np.zeros(k, np.int8), np.ones(len(r), np.int8)]
        d_bank = np.r_[bank, bank2]
        d_decided = np.r_[decided, decided2]
        d_decision = np.r_[decision, decision2]
        order = np.lexsort((d_seq, d_plan))
        d_plan, d_bank, d_decided, d_decision = d_plan[order], d_bank[order], d_decided[order], d_decision[order]
        n = len(d_plan)
        # the demo always shows both partner banks of the demo accounts (BOA, CAM)
        if n >= 2:
            if not (d_bank == 0).any():
                d_bank[0] = 0
            if not (d_bank == 1).any():
                d_bank[n - 1] = 1
        d_project = self.bp_project[d_plan]
        q = self.pr_quality[d_project]
        small = self.bp_small[d_plan]
        requested = self.bp_requested[d_plan]
        product = np.where(small, _pick_rows(rng, PRODUCT_P_SMALL, d_bank), _pick_rows(rng, PRODUCT_P_LARGE, d_bank))
        is_approved = d_decision == 1
        share = np.where(rng.random(n) < 0.6, 1.0, rng.uniform(0.6, 0.95, n))
        approved_amount = np.maximum(np.floor(requested * share / 500) * 500, 500)
        disbursed_on = d_decided + _between(rng, 10, 75, n)
        disbursed = is_approved & (rng.random(n) < 0.88) & (disbursed_on <= TODAY)
        if is_approved.any() and not (disbursed & (disbursed_on <= last_report)).any():
            first = np.flatnonzero(is_approved)[np.argmin(d_decided[is_approved])]     # tiny demos
            disbursed_on[first] = max(min(int(d_decided[first]) + 10, int(last_report)), int(d_decided[first]))
            disbursed[first] = True
        tranche = np.where(rng.random(n) < 0.8, 1.0, rng.uniform(0.5, 0.9, n))
        disbursed_amount = np.clip(np.round(approved_amount * tranche / 500) * 500, 500, approved_amount)
        reason = _pick(rng, REJECTION_P, n)

        # branch: an agency of that bank in the establishment's city
        city = np.array(self.est_city_names, dtype=object)[self.pr_est[d_project]]
        quarter_labels, quarter_code = self._branch_quarters(city, rng)
        self.fd_project, self.fd_product = d_project, product
        self.fd_disbursed, self.fd_disbursed_on = disbursed, disbursed_on
        self.fd_approved_amount, self.fd_disbursed_amount = approved_amount, disbursed_amount
        decided_valid = d_decision > 0
        frame = pa.table({
            "i": np.arange(1, n + 1, dtype=np.int32),
            "bp": (d_plan + 1).astype(np.int32),
            "bank": _cat(d_bank, BANKS),
            "city": pa.array(list(city), pa.string()),
            "quarter": _cat(quarter_code, quarter_labels),
            "product": _cat(product, PRODUCTS),
            "decision": _cat(d_decision, ("pending", "approved", "rejected")),
            "decided_on": _date(d_decided, decided_valid),
            "amount_approved_mad": _money(approved_amount, is_approved),
            "disbursed_on": _date(disbursed_on, disbursed),
            "amount_disbursed_mad": _money(disbursed_amount, disbursed),
            "rejection_reason": _cat(reason, REJECTION_REASONS, d_decision == 2),
        })
        # project-level facts for the next steps
        self.pr_financed_on = np.full(self.n_proj, -1, dtype=np.int32)    # first approval
        self.pr_bank = np.full(self.n_proj, -1, dtype=np.int16)           # bank of the latest decision
        self.pr_bank[d_project] = d_bank
        appr = np.flatnonzero(is_approved)
        money_day = np.where(disbursed, disbursed_on, d_decided)
        first_money = np.full(self.n_proj, np.iinfo(np.int32).max, dtype=np.int64)
        np.minimum.at(first_money, d_project[appr], money_day[appr])
        self.pr_financed_on = np.where(first_money < np.iinfo(np.int32).max, first_money, -1).astype(np.int32)
        self.pr_bank[d_project[appr]] = d_bank[appr]
        return ("financing_decisions", frame,
                f"select {_id('FD-', 'i', 6)}, {_id('BP-', 'bp', 6)}, bank, bank || ' ' || city || ' ' || quarter, "
                "product, decision, decided_on, amount_approved_mad, disbursed_on, amount_disbursed_mad, "
                "rejection_reason from demo_frame")

    @staticmethod
    def _branch_quarters(city: np.ndarray, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
        labels = sorted({q for qs in BRANCH_QUARTERS.values() for q in qs} | set(DEFAULT_QUARTERS))
        code = np.zeros(len(city), dtype=np.int32)
        u = rng.random(len(city))
        for name in sorted(set(city)):                 # a loop over cities (≤ 300), not rows
            rows = city == name
            options = BRANCH_QUARTERS.get(name, DEFAULT_QUARTERS)
            pick = np.minimum((u[rows] * len(options)).astype(int), len(options) - 1)
            code[rows] = np.array([labels.index(o) for o in options])[pick]
        return labels, code

    # -------------------------------------------------------------- companies (drawn before incubation)
    def _companies_draw(self) -> Table:
        rng, n = self.rng, self.n_proj
        q = self.pr_quality
        financed = self.pr_financed_on >= 0
        validated = self.pr_validated_on >= 0
        create = np.where(financed, _chance(rng, 0.80, 0.5 * q),
                          np.where(validated, rng.random(n) < 0.10, rng.random(n) < 0.02))
        registered = np.where(financed, self.pr_financed_on + _between(rng, 15, 120, n),
                              np.where(validated, self.pr_validated_on + _between(rng, 30, 240, n),
                                       self.pr_created + _between(rng, 90, 400, n)))
        create &= registered <= TODAY
        if n and not (create & (registered <= _day(date(AS_OF.year, 1, 1)))).any():
            create[np.argmin(registered)] = True        # tiny demos: one company with a survey
        project = np.flatnonzero(create)
        k = len(project)
        sector = self.pr_sector[project]
        coop_sector = np.isin(sector, [S["agriculture"], S["crafts"]])
        form = np.where(coop_sector, _pick(rng, [.35, .05, .10, .15, .33, .02], k),
                        _pick(rng, [.47, .08, .16, .24, .02, .03], k))
        size = self.pr_size[project]
        jobs = np.clip(size + rng.poisson(0.6, k) - (form == 0) * rng.integers(0, 2, k), 1, 6).astype(np.int32)
        self.co_project, self.co_registered, self.co_form, self.co_jobs = project, registered[project], form, jobs
        self.pr_company = np.full(n, -1, dtype=np.int32)
        self.pr_company[project] = np.arange(k, dtype=np.int32)
        self.pr_registered = np.where(create, registered, -1).astype(np.int32)

        # yearly survey on 30 June; a few companies close (the survey then says so)
        reg_plus = self.co_registered + 180
        years = _years_of(reg_plus)
        june30 = _june30(years)
        first_year = np.where(june30 >= reg_plus, years, years + 1)
        last_year = AS_OF.year if _june30(np.array([AS_OF.year]))[0] <= TODAY else AS_OF.year - 1
        n_surveys = np.maximum(last_year - first_year + 1, 0)
        hazard = 1 / (1 + np.exp(-(_logit(0.08) - 0.6 * q[project])))
        close_at = rng.geometric(hazard)                 # the survey at which it is found closed
        closed = close_at <= n_surveys
        self.co_n_surveys = np.where(closed, close_at, n_surveys).astype(np.int32)
        self.co_first_survey_year = first_year.astype(np.int32)
        self.co_closed = closed
        self.n_co = k
        frame = pa.table({
            "i": np.arange(1, k + 1, dtype=np.int32),
            "pr": (project + 1).astype(np.int32),
            "legal_form": _cat(form, LEGAL_FORMS),
            "registered_on": _date(self.co_registered),
            "ice": rng.integers(0, 10**13, k).astype(np.int64),
            "jobs_created": jobs,
            "status": _cat(closed.astype(np.int8), COMPANY_STATUSES),
        })
        return ("companies", frame,
                f"select {_id('CO-', 'i', 6)}, {_id('PR-', 'pr', 6)}, legal_form, registered_on, "
                "'00' || lpad(cast(ice as varchar), 13, '0'), jobs_created, status from demo_frame")

    # -------------------------------------------------------------- incubation
    def _incubation(self) -> Table:
        rng, n = self.rng, self.n_proj
        q = self.pr_quality
        validated = self.pr_validated_on >= 0
        submitted = np.zeros(n, dtype=bool)
        submitted[self.bp_project[self.bp_status > 0]] = True
        incubated = np.where(validated, _chance(rng, 0.55, 0.4 * q),
                             np.where(submitted, rng.random(n) < 0.12, rng.random(n) < 0.05))
        entered = self.pr_created + _between(rng, 10, 90, n)
        incubated &= entered <= TODAY
        if incubated.sum() < 2:                       # tiny demos: MCISE and another need projects
            candidates = np.lexsort((entered, ~validated))
            incubated[candidates[entered[candidates] <= TODAY][:2]] = True
        technopark = np.array([TECHNOPARK_OF_REGION.get(r.code, 1) for r in REGIONS])[self.pr_region]
        incubator = np.where(rng.random(n) < 0.70, 0, np.where(rng.random(n) < 0.5, 1, technopark)).astype(np.int16)
        chosen = np.flatnonzero(incubated)
        if len(chosen) >= 2:            # the demo always shows MCISE and another incubator
            if not (incubator[chosen] == 0).any():
                incubator[chosen[0]] = 0
            if not (incubator[chosen] != 0).any():
                incubator[chosen[-1]] = 1
        has_company = self.pr_company >= 0
        durations = ((30, 90), (90, 240), (90, 240), (180, 540))
        advance_p = (0.75, 0.60, 0.55, 0.0)
        graduate_p = (0.0, 0.40, 0.60, 0.85)
        alive = incubated.copy()
        enter = entered.astype(np.int32)
        rows = []
        self.pr_incubator = np.where(incubated, incubator, -1)
        self.pr_incubation_end = np.full(n, TODAY, dtype=np.int32)
        for s in range(4):                             # a loop over the four stages
            exit_on = enter + _between(rng, *durations[s], n)
            advance = _chance(rng, advance_p[s], 0.5 * q)
            if s == 2:                                 # post-creation needs a company
                advance &= has_company
                exit_on = np.where(advance, np.maximum(exit_on, self.pr_registered), exit_on)
            still_open = exit_on > TODAY
            graduates = _chance(rng, graduate_p[s], 0.5 * q)
            reason = np.where(advance, 0, np.where(graduates, 1, 2)).astype(np.int8)
            idx = np.flatnonzero(alive)
            closed = ~still_open[idx]
            rows.append((idx, np.full(len(idx), s, np.int8), enter[idx], exit_on[idx], closed, reason[idx]))
            ended = alive & ~still_open & ~advance
            self.pr_incubation_end[ended] = exit_on[ended]
            alive = alive & ~still_open & advance
            enter = exit_on
        project = np.concatenate([r[0] for r in rows])
        stage = np.concatenate([r[1] for r in rows])
        order = np.lexsort((stage, project))
        closed = np.concatenate([r[4] for r in rows])[order]
        self.pr_incubated = incubated
        self.pr_incubation_start = np.where(incubated, entered, -1).astype(np.int32)
        frame = pa.table({
            "pr": (project[order] + 1).astype(np.int32),
            "stage": _cat(stage[order], STAGES),
            "incubator": _cat(incubator[project[order]], INCUBATORS),
            "entered_on": _date(np.concatenate([r[2] for r in rows])[order]),
            "exited_on": _date(np.concatenate([r[3] for r in rows])[order], closed),
            "exit_reason": _cat(np.concatenate([r[5] for r in rows])[order], EXIT_REASONS, closed),
        })
        return ("incubation_stages", frame,
                f"select {_id('PR-', 'pr', 6)}, stage, incubator, entered_on, exited_on, exit_reason from demo_frame")

    # -------------------------------------------------------------- coaching
    def _sessions(self) -> Table:
        rng, n = self.rng, self.n_proj
        financed = self.pr_financed_on >= 0
        incubated = self.pr_incubated
        coached = incubated | financed
        start = np.where(incubated, self.pr_incubation_start,
                         np.maximum(self.pr_financed_on - 60, self.pr_created)).astype(np.int32)
        end = np.where(incubated, self.pr_incubation_end, np.minimum(self.pr_financed_on + 365, TODAY))
        end = np.maximum(np.minimum(end, TODAY), start)
        months = (end - start) / 30.4
        count = np.where(incubated, np.clip(rng.poisson(0.9 * months + 1), 1, 40), 1 + rng.poisson(1.5, n))
        count = np.where(coached, count, 0).astype(np.int64)
        project = np.repeat(np.arange(n, dtype=np.int32), count)
        k = len(project)
        # who: 0 the project's incubator, 1 Droit et Devoir, 2 MCISE, 3 the project's bank
        inc = incubated[project]
        who_kind = np.where(inc, _pick(rng, [.47, .29, .11, .13], k), _pick(rng, [0, .2, .2, .6], k))
        kind_of = {0: [.75, 0, 0, .25, 0], 1: [.3, .7, 0, 0, 0], 2: [.45, 0, 0, .4, .15], 3: [0, 0, 1, 0, 0]}
        kind = _pick_rows(rng, np.array([kind_of[i] for i in range(4)]), who_kind.astype(np.int64))
        bank = np.maximum(self.pr_bank[project], 0)                   # BOA when no decision
        incubator = np.maximum(self.pr_incubator[project], 0)
        partners = INCUBATORS + ("Droit et Devoir",) + BANKS
        partner = np.select([who_kind == 0, who_kind == 1, who_kind == 2],
                            [incubator, len(INCUBATORS), 0], len(INCUBATORS) + 1 + bank).astype(np.int32)
        held = start[project] + np.floor(rng.random(k) * (end[project] - start[project] + 1)).astype(np.int32)
        hours_range = np.array([[1, 3], [1, 2.5], [1, 2], [2, 6], [6, 8]])[kind]
        hours = np.round(rng.uniform(hours_range[:, 0], hours_range[:, 1]), 1)
        order = np.lexsort((held, project))
        frame = pa.table({
            "i": np.arange(1, k + 1, dtype=np.int32),
            "pr": (project[order] + 1).astype(np.int32),
            "partner": _cat(partner[order], partners),
            "kind": _cat(kind[order], SESSION_KINDS),
            "held_on": _date(held[order]),
            "hours": hours[order],
        })
        return ("coaching_sessions", frame,
                f"select {_id('CS-', 'i', 7)}, {_id('PR-', 'pr', 6)}, partner, kind, held_on, hours from demo_frame")

    # -------------------------------------------------------------- loans
    def _loan_followups(self) -> Table:
        rng = self.rng
        loans = np.flatnonzero(self.fd_disbursed)
        m = len(loans)
        qends = _quarter_ends(FIRST_YEAR, AS_OF.year)
        d0 = self.fd_disbursed_on[loans]
        first = np.searchsorted(qends, d0, side="left")         # first quarter end ≥ disbursement
        n_rows = (len(qends) - first).astype(np.int64)
        product = self.fd_product[loans]
        term_range = np.array([[20, 28], [4, 8], [12, 20], [12, 24], [8, 16]])[product]
        grace_range = np.array([[2, 6], [0, 1], [4, 8], [1, 3], [1, 2]])[product]
        term = rng.integers(term_range[:, 0], term_range[:, 1] + 1)
        grace = rng.integers(grace_range[:, 0], grace_range[:, 1] + 1)
        project = self.fd_project[loans]
        company_closed = np.zeros(m, dtype=bool)
        has_co = self.pr_company[project] >= 0
        company_closed[has_co] = self.co_closed[self.pr_company[project[has_co]]]
        q = self.pr_quality[project]
        u = rng.random(m)
        p_default = np.where(company_closed, 0.35, 0.025 / (1 + np.exp(q)) * 2)
        p_trouble = np.where(company_closed, 0.25, 0.05)
        risk = np.where(u < p_default, 2, np.where(u < p_default + p_trouble, 1, 0))   # good, troubled, default
        onset = np.floor(rng.random(m) * np.maximum(n_rows, 1)).astype(np.int64)
        recover_after = np.where(rng.random(m) < 0.5, rng.integers(1, 4, m), 10_000)

        loan = np.repeat(np.arange(m), n_rows)
        k = _ranks_within(loan) if len(loan) else np.zeros(0, np.int64)
        as_of = qends[first[loan] + k]
        amount = self.fd_disbursed_amount[loans][loan]
        r, o = risk[loan], onset[loan]
        behind = np.clip(k - o + 1, 0, None)                     # quarters since trouble began
        in_trouble = (r > 0) & (behind > 0) & ((r == 2) | (behind <= recover_after[loan]))
        # repayments stop while behind (for good, when in default)
        frozen = np.where(r == 2, behind, np.where(r == 1, np.minimum(behind, recover_after[loan]), 0))
        paid = np.clip((k + 1 - frozen - grace[loan]) / term[loan], 0, 1)
        outstanding = np.round(amount * (1 - paid), 2)
        rows = len(loan)
        dpd = np.where(in_trouble, np.where(r == 2, 90 * behind - rng.integers(0, 60, rows),
                                            30 * behind + rng.integers(1, 30, rows)), 0)
        hiccup = (dpd == 0) & (outstanding > 0) & (rng.random(rows) < 0.04)
        dpd = np.where(hiccup, rng.integers(1, 30, rows), dpd)
        repaid = outstanding <= 0
        written_off = (r == 2) & (dpd >= 360) & ~repaid
        status = np.where(repaid, 2, np.where(written_off, 3, np.where(dpd > 0, 1, 0))).astype(np.int8)
        dpd = np.where(repaid, 0, dpd)
        outstanding = np.where(repaid, 0.0, outstanding)
        # nothing is reported after the loan is repaid or written off
        terminal = (status >= 2).astype(np.int64)
        cum = np.cumsum(terminal)
        starts = _group_starts(loan)
        before = np.r_[0, cum][starts] if len(loan) else np.zeros(0, np.int64)
        prior = cum - terminal - np.repeat(before, n_rows[n_rows > 0])
        keep = prior == 0
        frame = pa.table({
            "fd": (loans[loan[keep]] + 1).astype(np.int32),
            "as_of": _date(as_of[keep]),
            "outstanding_mad": outstanding[keep],
            "days_past_due": dpd[keep].astype(np.int32),
            "status": _cat(status[keep], LOAN_STATUSES),
        })
        return ("loan_followups", frame,
                f"select {_id('FD-', 'fd', 6)}, as_of, outstanding_mad, days_past_due, status from demo_frame")

    # -------------------------------------------------------------- company follow-ups
    def _company_followups(self) -> Table:
        rng = self.rng
        n_rows = self.co_n_surveys.astype(np.int64)
        company = np.repeat(np.arange(self.n_co), n_rows)
        k = _ranks_within(company) if len(company) else np.zeros(0, np.int64)
        as_of = _june30(self.co_first_survey_year[company] + k)
        size = len(company)
        # headcount moves a little each year; revenue follows headcount around a company's own level
        step = rng.choice(np.array([-1, 0, 0, 0, 0, 1, 1]), size)
        starts = _group_starts(company)
        cum = np.cumsum(step)
        base = np.repeat(np.r_[0, cum][starts], n_rows[n_rows > 0]) if size else np.zeros(0, np.int64)
        employees = np.clip(self.co_jobs[company] + (cum - base), 1, 12)
        big_form = np.isin(self.co_form, [LEGAL_FORMS.index("sarl"), LEGAL_FORMS.index("sarl_au")])
        per_job = np.where(big_form, rng.lognormal(np.log(120_000), 0.45, self.n_co),
                           rng.lognormal(np.log(60_000), 0.45, self.n_co))
        ramp = np.minimum(1.0, 0.6 + 0.2 * k)                         # first year is a partial one
        revenue = np.round(per_job[company] * employees * ramp * rng.uniform(0.85, 1.15, size) / 100) * 100
        last = np.r_[company[1:] != company[:-1], True] if size else np.zeros(0, bool)
        closed = last & self.co_closed[company]
        employees = np.where(closed, 0, employees)
        revenue = np.where(closed, np.round(revenue * rng.uniform(0.1, 0.5, size) / 100) * 100, revenue)
        frame = pa.table({
            "co": (company + 1).astype(np.int32),
            "as_of": _date(as_of),
            "employees": employees.astype(np.int32),
            "revenue_mad": revenue,
            "status": _cat(closed.astype(np.int8), COMPANY_STATUSES),
        })
        return ("company_followups", frame,
                f"select {_id('CO-', 'co', 6)}, as_of, employees, revenue_mad, status from demo_frame")

    # -------------------------------------------------------------- targets
    def _targets(self) -> Table:
        """Leadership's objectives per year and region: near the actuals, some ahead, some behind."""
        rng = self.rng
        n_y, n_r = len(YEARS), len(REGIONS)
        actual = np.zeros((len(TARGET_METRICS), n_y, n_r))
        np.add.at(actual[0], (self.p_year - FIRST_YEAR, self.p_region), 1)
        imm = self.phase_status[2] == 1
        np.add.at(actual[1], (self.p_year[imm] - FIRST_YEAR, self.p_region[imm]), 1)
        for metric, mask in ((2, self.pr_validated_on >= 0), (3, self.pr_financed_on >= 0),
                             (4, self.pr_company >= 0)):
            np.add.at(actual[metric], (self.pr_year[mask] - FIRST_YEAR, self.pr_region[mask]), 1)
        # outcomes of recent cohorts are not in yet: their targets follow the rates of finished years
        participants = actual[0]
        finished = {1: YEARS <= LAST_YEAR - 1, 2: YEARS <= LAST_YEAR - 2, 3: YEARS <= LAST_YEAR - 2,
                    4: YEARS <= LAST_YEAR - 3}
        expected = actual.copy()
        for metric, done in finished.items():
            rate_years = done & (YEARS >= LAST_YEAR - 4)
            base = participants[rate_years].sum()
            rate = actual[metric][rate_years].sum() / base if base else 0.0
            expected[metric][~done] = participants[~done] * rate
        # the region planned for this year but not launched keeps its target (actual 0)
        ran = participants > 0
        for code, year in PLANNED_NOT_LAUNCHED.items():
            ri = [r.code for r in REGIONS].index(code)
            yi = year - FIRST_YEAR
            if not ran[yi, ri]:
                per_youth = participants[yi].sum() / sum(r.youth_k for r, x in zip(REGIONS, ran[yi]) if x)
                expected[0, yi, ri] = per_youth * REGIONS[ri].youth_k * 0.6
                for metric in range(1, len(TARGET_METRICS)):
                    share = expected[metric, yi].sum() / max(participants[yi].sum(), 1)
                    expected[metric, yi, ri] = expected[0, yi, ri] * share
                ran[yi, ri] = True
        region_factor = np.exp(rng.normal(0.04, 0.13, (n_y, n_r)))      # ambitious here, cautious there
        metric_noise = np.exp(rng.normal(0, 0.06, actual.shape))
        target = np.round(expected * np.clip(region_factor * metric_noise, 0.75, 1.30)).astype(np.int64)
        target[0] = np.maximum(target[0], 1)
        metric_idx, year_idx, region_idx = np.nonzero(np.broadcast_to(ran, actual.shape))
        order = np.lexsort((metric_idx, region_idx, year_idx))
        metric_idx, year_idx, region_idx = metric_idx[order], year_idx[order], region_idx[order]
        frame = pa.table({
            "academic_year": _cat(year_idx, _year_labels()),
            "region_code": _cat(region_idx, [r.code for r in REGIONS]),
            "metric": _cat(metric_idx, TARGET_METRICS),
            "target_value": target[metric_idx, year_idx, region_idx].astype(np.int32),
        })
        return ("targets", frame, "select academic_year, region_code, metric, target_value from demo_frame")


def _years_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of each day number (days since 1970-01-01)."""
    return np.asarray(days, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _june30(years: np.ndarray) -> np.ndarray:
    """Day number of 30 June of each year."""
    y = np.asarray(years, dtype=np.int64)
    return ((y - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64) + 180
            + _is_leap(y)).astype(np.int32)


def _is_leap(y: np.ndarray) -> np.ndarray:
    return ((y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))).astype(np.int64)
