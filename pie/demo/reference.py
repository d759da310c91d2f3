"""The fixed facts the demo draws around: its calendar, the regions and their establishments,
people's and projects' names, the partner banks and incubators, and the shares and weights
of each draw.

The code lists are those of pie.codes; the weights below are given in their order unless a
comment says otherwise (a draw's order of categories is part of what a seed reproduces).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from pie.codes import SECTORS

DEFAULT_SEED = 1
AS_OF = date(2026, 11, 15)   # fixed "today" of the demo so the same N and seed give the same database on any day
MIN_PARTICIPANTS = 100
MAX_PARTICIPANTS = 1_000_000

# ------------------------------------------------------------------------------ calendar
FIRST_YEAR, LAST_YEAR = 2021, 2026          # academic years 2021-2022 .. 2026-2027
YEARS = np.arange(FIRST_YEAR, LAST_YEAR + 1)
_EPOCH = date(1970, 1, 1)


def day(d: date) -> int:
    """Day number of a date (days since 1970-01-01), as DuckDB's date32 stores it."""
    return (d - _EPOCH).days


TODAY = day(AS_OF)

# ------------------------------------------------------------------------------ participants
SECTOR_P = np.array([.16, .09, .07, .12, .08, .05, .09, .17, .05, .07, .05])          # by sector
WOMEN_SHARE = np.array([.38, .22, .62, .32, .45, .25, .55, .45, .12, .58, .42])   # by sector
S = {name: i for i, name in enumerate(SECTORS)}    # sector code -> its index in SECTORS
# (region, sector, factor): a sector's share in a region is its national share × factor
REGION_SECTOR_FACTORS = (
    ("09", "agriculture", 1.6), ("09", "tourism", 1.5), ("07", "tourism", 1.8), ("07", "crafts", 1.4),
    ("02", "agriculture", 1.4), ("05", "agriculture", 1.8), ("08", "tourism", 1.6), ("08", "renewable_energy", 2.2),
    ("06", "industry", 1.5), ("06", "digital_ai", 1.3), ("04", "digital_ai", 1.3), ("01", "industry", 1.6),
    ("11", "renewable_energy", 2.0), ("03", "crafts", 1.5), ("10", "agriculture", 1.3), ("12", "tourism", 1.5))
PROFILE_P = np.array([.70, .25, .05])                                                # by profile
# Delivery modes and their shares, in the order of the draw (not the data model's order).
DELIVERY_P = {"in_person": .75, "blended": .20, "online": .05}


# ------------------------------------------------------------------------------ regions and establishments
@dataclass(frozen=True)
class Region:
    code: str
    youth_k: int                 # people aged 15-29 in 2024, thousands (HCP RGPH 2024)
    cmc_city: str
    cities: tuple[str, ...]      # most populous first
    cin: tuple[str, ...]         # national-id letter prefixes of the region's cities
    launch: int | None           # academic year the PIE started there (None: not yet)


# The 12 regions in pie.codes.REGION_CODES order: a region's index in the arrays is its index here.
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
# Names of the CMCs ("CMC <region>").
REGION_NAMES = {
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

# ------------------------------------------------------------------------------ people and projects
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

# ------------------------------------------------------------------------------ partners
BANKS = ("BOA", "CAM", "BP", "CIH", "AWB", "ALAMANA")
# bank shares by kind of plan: rows small non-agri, large non-agri, small agri, large agri
BANK_P = np.array([[.45, .12, .12, .00, .00, .31],
                   [.64, .16, .08, .06, .06, .00],
                   [.30, .40, .08, .00, .00, .22],
                   [.40, .48, .05, .03, .04, .00]])
# product (columns: pie.codes.PRODUCTS) by bank (rows: BANKS) for small plans, then for large plans
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
