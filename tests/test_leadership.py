"""Leadership: region boundaries and cities, the leadership queries and library, the
map figure. Expected figures are worked out by hand from tests/fixtures/small_programme.sql."""
from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest

from pie import db, kpis
from pie.leadership import charts as leadership_charts
from pie.leadership import figures as leadership
from pie.leadership import geo
from pie.config import QUERIES_DIR
from pie.errors import PieError
from pie.scope import Scope

REGION_CODES = [f"{n:02d}" for n in range(1, 13)]
GEOJSON_MAX_BYTES = 2_000_000
YEAR = "2022-2023"
PREVIOUS = "2021-2022"
# small_programme.sql: participants by region and cohort year
PARTICIPANTS = {"09": {"2021-2022": 4, "2022-2023": 3}, "02": {"2022-2023": 3}}
# its targets rows
TARGETS = {("09", "participants"): 5, ("02", "participants"): 4, ("09", "companies_created"): 2}
ACTUAL_METRICS = ("participants", "immersion_completed", "plans_validated", "projects_financed",
                  "companies_created")


def signed_area(ring: list[list[float]]) -> float:
    """Shoelace area in (lon, lat): negative for a clockwise ring."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:])) / 2


def inside(lon: float, lat: float, ring: list[list[float]]) -> bool:
    crossings = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            crossings = not crossings
    return crossings


def youth(path, code: str) -> int:
    """The region's population aged 15–29 as stored in the database."""
    con = duckdb.connect(str(db.reader(path).snapshot()), read_only=True)
    try:
        return con.execute("select youth_15_29_2024 from regions where region_code = ?", [code]).fetchone()[0]
    finally:
        con.close()


# ------------------------------------------------------------------------------ geo
def test_geojson_has_the_12_regions_with_clockwise_closed_rings():
    """Test that the boundaries hold one clockwise, closed exterior ring per region 01..12."""
    assert geo.GEOJSON_PATH.stat().st_size <= GEOJSON_MAX_BYTES
    features = geo.regions_geojson()["features"]
    assert sorted(f["id"] for f in features) == REGION_CODES
    for feature in features:
        assert feature["geometry"]["type"] == "Polygon"
        ring = feature["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1], feature["id"]
        assert signed_area(ring) < 0, f"{feature['id']} is counter-clockwise"
        assert all(-17.2 < lon < -0.9 and 20.8 < lat < 36.2 for lon, lat in ring)  # Morocco


def test_region_centroids_lie_inside_their_region():
    """Test that each region's centre (where unknown cities are drawn) is inside it."""
    rings = {f["id"]: f["geometry"]["coordinates"][0] for f in geo.regions_geojson()["features"]}
    centroids = geo.region_centroids()
    assert sorted(centroids) == REGION_CODES
    for code, (lat, lon) in centroids.items():
        assert inside(lon, lat, rings[code]), code


def test_every_demo_city_resolves_to_coordinates_in_its_region():
    """Test that every city the demo writes into establishments.city is in the table, in its region."""
    demo = pytest.importorskip("pie.demo")
    for region in demo.REGIONS:
        for city in (region.cmc_city, *region.cities):
            known = geo.city_name(city)
            assert known is not None, city
            assert geo.CITIES[known][2] == region.code, city
            assert geo.locate(city, region.code).exact


@pytest.mark.parametrize("spelling, city", [
    ("LAAYOUNE", "Laâyoune"), ("Ben Guerir", "Benguérir"), ("ksar el kebir", "Ksar El Kébir"),
    ("Smara", "Es-Semara"), ("Kelaat Sraghna", "El Kelâa des Sraghna"), ("Al Haouz", "Tahannaout"),
    (" Béni-Mellal ", "Béni Mellal"), ("Tan Tan", "Tan-Tan"), ("Fez", "Fès"), ("Mohammedia", "Mohammédia"),
])
def test_city_spellings_seen_in_registers_resolve(spelling, city):
    """Test that case, accents, hyphens and common variants find the city."""
    assert geo.city_name(spelling) == city


def test_unknown_city_falls_back_to_the_region_centre():
    """Test that an unknown or missing city is drawn at its region's centre, marked approximate."""
    lat, lon = geo.region_centroids()["09"]
    for city in ("Nulle-Part", None, ""):
        place = geo.locate(city, "09")
        assert (place.lat, place.lon, place.exact) == (lat, lon, False)


# ------------------------------------------------------------------------------ queries
@pytest.mark.parametrize("path", sorted((QUERIES_DIR / "leadership").glob("*.sql")), ids=lambda p: p.name)
def test_leadership_queries_read_programme_tables_only_through_the_scope_macros(path):
    """Test that no leadership query names a programme table directly (only scoped_* macros)."""
    text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8")).lower()
    named = set(re.findall(r"\b(?:from|join)\s+([a-z_]+)", text))
    assert not named & set(db.PROGRAMME_TABLES), path.name


# ------------------------------------------------------------------------------ regional indicators
def test_regional_indicators_give_all_12_regions_with_reach(small_db):
    """Test participants and reach per region over every year: 09 → 7, 02 → 3, others 0."""
    frame = leadership.regional_indicators(db.reader(small_db), Scope()).set_index("region_code")
    assert list(frame.index) == REGION_CODES
    expected = {code: sum(PARTICIPANTS.get(code, {}).values()) for code in REGION_CODES}
    assert frame["participants"].to_dict() == expected
    assert frame.loc["09", "reach_per_10k"] == pytest.approx(7 / youth(small_db, "09") * 10000)
    assert frame.loc["02", "reach_per_10k"] == pytest.approx(3 / youth(small_db, "02") * 10000)
    assert frame.loc["06", "reach_per_10k"] == 0
    # targets are yearly: none without a year
    assert frame["target_participants"].isna().all()


def test_regional_indicators_with_a_year_carry_its_targets(small_db):
    """Test the 2022-2023 targets and progress = actual ÷ target per region."""
    frame = leadership.regional_indicators(db.reader(small_db), Scope(academic_year=YEAR)).set_index("region_code")
    assert frame.loc["09", "participants"] == 3 and frame.loc["02", "participants"] == 3
    assert frame.loc["09", "target_participants"] == 5 and frame.loc["02", "target_participants"] == 4
    assert frame.loc["09", "progress_participants"] == pytest.approx(3 / 5)
    assert frame.loc["02", "progress_participants"] == pytest.approx(3 / 4)
    assert frame.loc["09", "target_companies_created"] == 2
    assert frame.loc["09", "progress_companies_created"] == pytest.approx(1 / 2)
    assert pd.isna(frame.loc["02", "target_companies_created"])
    assert frame.drop(index=["02", "09"])["target_participants"].isna().all()


def test_regional_indicators_of_one_region(small_db):
    """Test that a region filter gives that region only."""
    frame = leadership.regional_indicators(db.reader(small_db), Scope(region_code="02"))
    assert list(frame["region_code"]) == ["02"] and list(frame["participants"]) == [3]


# ------------------------------------------------------------------------------ targets vs actuals
def test_targets_vs_actuals_on_the_small_programme(small_db):
    """Test target, actual, previous year, progress and status of each region and metric."""
    frame = leadership.targets_vs_actuals(db.reader(small_db), Scope(academic_year=YEAR))
    assert len(frame) == 12 * 5
    rows = frame.set_index(["region_code", "metric"])
    participants_09 = rows.loc[("09", "participants")]
    assert (participants_09["target"], participants_09["actual"], participants_09["previous_actual"]) == (5, 3, 4)
    # 2022-2023 ended before the data date (2024-07-01): judged against the whole target
    assert participants_09["progress"] == pytest.approx(0.6) and participants_09["status"] == "missed"
    assert participants_09["pace"] is None and participants_09["expected"] == 5
    assert participants_09["change"] == -1
    participants_02 = rows.loc[("02", "participants")]
    assert (participants_02["target"], participants_02["actual"], participants_02["previous_actual"]) == (4, 3, 0)
    assert participants_02["progress"] == pytest.approx(0.75) and participants_02["status"] == "missed"
    companies_09 = rows.loc[("09", "companies_created")]
    assert (companies_09["target"], companies_09["actual"]) == (2, 1)
    assert companies_09["status"] == "missed"
    with_target = {key for key, row in rows.iterrows() if not pd.isna(row["target"])}
    assert with_target == set(TARGETS)
    assert set(rows.drop(index=list(TARGETS))["status"]) == {"no_target"}


def test_national_totals_sum_targets_and_every_region(small_db):
    """Test the national line: sum of the regional targets, actual of every region."""
    targets = leadership.targets_vs_actuals(db.reader(small_db), Scope(academic_year=YEAR))
    totals = leadership.totals(targets).set_index("metric")
    assert (totals.loc["participants", "target"], totals.loc["participants", "actual"]) == (9, 6)
    assert totals.loc["participants", "previous_actual"] == 4 and totals.loc["participants", "change"] == 2
    assert totals.loc["participants", "progress"] == pytest.approx(6 / 9)
    assert totals.loc["companies_created", "status"] == "missed"
    assert totals.loc["plans_validated", "status"] == "no_target"


@pytest.mark.parametrize("target, progress, expected", [
    (10, 1.2, "met"), (10, 1.0, "met"), (10, 0.95, "close"), (10, 0.9, "close"),
    (10, 0.89, "missed"), (10, 0.0, "missed"), (None, None, "no_target"), (pd.NA, pd.NA, "no_target"),
    (0, None, "met"),
])
def test_status_thresholds(target, progress, expected):
    """Test a finished year: met ≥ 100 %, close ≥ 90 %, missed below, no target."""
    assert leadership.status(target, progress) == expected


def test_targets_need_a_year(small_db):
    """Test that targets vs actuals without an academic year is refused."""
    with pytest.raises(PieError):
        leadership.targets_vs_actuals(db.reader(small_db), Scope())


def test_targets_do_not_apply_to_an_establishment_or_a_partner(small_db):
    """Test that regional targets are not compared with one establishment's or one bank's share."""
    reader = db.reader(small_db)
    for scope in (Scope(academic_year=YEAR, establishment_id="E1"),
                  Scope.for_role("bank", "BOA").with_filters(academic_year=YEAR)):
        assert leadership.targets_vs_actuals(reader, scope)["target"].isna().all()


def _assert_actuals_match_kpis(path, years: list[str | None]) -> None:
    reader = db.reader(path)
    computed: dict[tuple[str | None, str, object], dict] = {}
    on = kpis.data_date(reader)

    def compute(year: str | None, code: str, as_of=None) -> dict:
        if (year, code, as_of) not in computed:
            computed[(year, code, as_of)] = kpis.compute(reader, Scope(academic_year=year, region_code=code), as_of)
        return computed[(year, code, as_of)]

    for year in years:
        regions = leadership.regional_indicators(reader, Scope(academic_year=year)).set_index("region_code")
        targets = (leadership.targets_vs_actuals(reader, Scope(academic_year=year)).set_index(["region_code", "metric"])
                   if year else None)
        for code in REGION_CODES:
            expected = compute(year, code)
            # a year in progress is compared with the previous one at the same date (METRICS.md)
            running = year is not None and kpis.in_progress(year, on)
            before = (compute(leadership.previous_year(year), code, kpis.year_earlier(on) if running else None)
                      if year else None)
            for metric in ACTUAL_METRICS:
                assert regions.loc[code, metric] == expected[metric], (year, code, metric)
                if targets is not None:
                    assert targets.loc[(code, metric), "actual"] == expected[metric], (year, code, metric)
                    assert targets.loc[(code, metric), "previous_actual"] == before[metric], (year, code, metric)


def test_regional_actuals_match_kpis_on_the_small_programme(small_db):
    """Test that each region's actuals equal kpis.compute for that region (every year and all)."""
    _assert_actuals_match_kpis(small_db, [None, PREVIOUS, YEAR])


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    demo = pytest.importorskip("pie.demo")
    path = tmp_path_factory.mktemp("leadership-demo") / "pie.duckdb"
    demo.build_demo(path, participants=3000, seed=11)
    return path


def test_regional_actuals_match_kpis_on_a_demo_programme(demo_db):
    """Test the same equality on a generated programme: all years, and the three latest with cohorts."""
    years = list(db.reader(demo_db).query("filters/academic_years")["academic_year"])
    assert len(years) >= 3
    _assert_actuals_match_kpis(demo_db, [None, *years[:3]])


# ------------------------------------------------------------------------------ map points, rollout
def test_establishments_on_the_map(small_db):
    """Test that launched establishments are placed at their city with their participants."""
    reader = db.reader(small_db)
    frame = leadership.establishments_on_map(reader, Scope()).set_index("establishment_id")
    assert sorted(frame.index) == ["E1", "E2"]  # E3 (Settat) has no launch date and no cohort
    assert frame.loc["E1", "participants"] == 7 and frame.loc["E2", "participants"] == 3
    assert (frame.loc["E1", "lat"], frame.loc["E1", "lon"]) == geo.CITIES["Agadir"][:2]
    assert frame["location_exact"].all()
    # in 2021-2022 Oujda (launched 10/10/2022, first cohort 2022-2023) was not running yet
    first_year = leadership.establishments_on_map(reader, Scope(academic_year=PREVIOUS))
    assert list(first_year["establishment_id"]) == ["E1"] and list(first_year["participants"]) == [4]


def test_rollout_over_the_years(small_db):
    """Test participants per region and year (zeros filled) and each region's first launch."""
    rollout = leadership.rollout(db.reader(small_db), Scope(academic_year=YEAR))  # the year is ignored
    by_year = {(r.region_code, r.academic_year): r.participants for r in rollout.by_year.itertuples()}
    assert by_year == {("02", PREVIOUS): 0, ("02", YEAR): 3, ("09", PREVIOUS): 4, ("09", YEAR): 3}
    launches = rollout.launches.set_index("region_code")
    assert len(launches) == 12
    assert pd.Timestamp(launches.loc["09", "first_launch_date"]) == pd.Timestamp("2021-10-01")
    assert launches.loc["09", "first_academic_year"] == PREVIOUS
    assert pd.Timestamp(launches.loc["02", "first_launch_date"]) == pd.Timestamp("2022-10-10")
    assert pd.isna(launches.loc["06", "first_launch_date"]) and launches.loc["06", "n_establishments_launched"] == 0


def test_years_and_regions_are_checked(small_db):
    """Test that the report's year and region are validated with clear errors."""
    reader = db.reader(small_db)
    assert leadership.academic_years(reader) == [YEAR, PREVIOUS]
    assert leadership.check_year(reader, YEAR) == YEAR
    for bad in ("2030-2031", "2022-2024", "2022", ""):
        with pytest.raises(PieError):
            leadership.check_year(reader, bad)
    assert leadership.check_region("9") == "09" and leadership.check_region(None) is None
    for bad in ("13", "0", "Souss", "-1"):
        with pytest.raises(PieError):
            leadership.check_region(bad)


def test_data_stamp_of_a_database_without_imports(small_db):
    """Test that a database never imported into says so (no last import, not a demo)."""
    stamp = leadership.data_stamp(db.reader(small_db))
    assert not stamp.is_demo and stamp.last_import_at is None and stamp.created_at is not None


# ------------------------------------------------------------------------------ figures
def test_region_map_colours_regions_and_places_establishments(small_db):
    """Test the choropleth (12 regions, hover with name and figures) and the points (launch dates)."""
    reader = db.reader(small_db)
    regions = leadership.regional_indicators(reader, Scope(academic_year=YEAR))
    points = leadership.establishments_on_map(reader, Scope(academic_year=YEAR))
    fig = leadership_charts.region_map(regions, "participants", points, "fr")
    base, coloured, cities = fig.data
    assert sorted(base.locations) == REGION_CODES and base.featureidkey == "id"
    assert sorted(coloured.locations) == REGION_CODES
    hover = dict(zip(coloured.locations, coloured.text))
    assert "<b>Souss-Massa</b>" in hover["09"] and "Participants : 3 / objectif 5 (60\u00a0%)" in hover["09"]
    assert list(coloured.customdata) == list(coloured.locations)
    assert "01/10/2021" in " ".join(cities.customdata) and "10/10/2022" in " ".join(cities.customdata)
    assert fig.layout.geo.fitbounds == "geojson" and fig.layout.geo.showland is False
    arabic = leadership_charts.region_map(regions, "progress_participants", points, "ar")
    assert "سوس-ماسة" in dict(zip(arabic.data[1].locations, arabic.data[1].text))["09"]
    assert sorted(arabic.data[1].locations) == ["02", "09"]  # regions with a target only


def test_region_map_marks_unknown_cities_as_approximate(small_db):
    """Test that an establishment in an unknown city is drawn at its region's centre, said in its hover."""
    points = pd.DataFrame([{"establishment_id": "X", "name": "ISTA Inconnue", "kind": "ista", "city": "Atlantide",
                            "region_code": "09", "pie_launch_date": pd.Timestamp("2023-10-02"), "n_cohorts": 1,
                            "participants": 5}])
    lat, lon = geo.region_centroids()["09"]
    points["lat"], points["lon"], points["location_exact"] = lat, lon, False
    regions = leadership.regional_indicators(db.reader(small_db), Scope())
    fig = leadership_charts.region_map(regions, "participants", points, "fr", focus="09")
    cities = fig.data[-1]
    assert (cities.lat[0], cities.lon[0]) == (lat, lon)
    assert "position approximative" in cities.customdata[0] and "02/10/2023" in cities.customdata[0]
    assert fig.layout.geo.lonaxis.range is not None  # zoomed on the region


def test_data_stamp_is_the_latest_accepted_import(tmp_path):
    """Test that the stamp is the finish time of the latest accepted batch (rejected ones ignored)."""
    path = db.init_database(tmp_path / "pie.duckdb")
    with db.writing(path) as con:
        for batch, finished, outcome in (("B1", "2024-03-01 10:00:00", "accepted"),
                                         ("B2", "2024-05-02 09:30:00", "accepted"),
                                         ("B3", "2024-06-01 08:00:00", "rejected")):
            con.execute("insert into import_batches (batch_id, started_at, finished_at, outcome, files_json, "
                        "rows_json) values (?, ?, ?, ?, '[]', '{}')", [batch, finished, finished, outcome])
    stamp = leadership.data_stamp(db.reader(path))
    assert stamp.last_import_at == pd.Timestamp("2024-05-02 09:30:00") and not stamp.is_demo


def test_target_years_are_the_years_with_a_target_in_scope(small_db):
    """Test that target years are 2022-2023 (the fixture's targets), none for Casablanca-Settat
    (06, no target) nor for an establishment (targets are per region), whatever the year filter."""
    source = db.reader(small_db)
    assert leadership.target_years(source) == [YEAR]
    assert leadership.target_years(source, Scope(academic_year=PREVIOUS)) == [YEAR]
    assert leadership.target_years(source, Scope(region_code="09")) == [YEAR]
    assert leadership.target_years(source, Scope(region_code="06")) == []
    assert leadership.target_years(source, Scope(establishment_id="E1")) == []


def test_an_academic_year_is_in_progress_until_31_august():
    """Test that 2022-2023 ends on 31 August 2023 and is in progress until then."""
    from datetime import date

    assert leadership.year_end(YEAR) == date(2023, 8, 31)
    assert leadership.in_progress(YEAR, today=date(2023, 8, 31))
    assert not leadership.in_progress(YEAR, today=date(2023, 9, 1))


def test_rollout_chart_of_a_small_programme_ticks_whole_numbers(small_db):
    """Test that participants per year (at most 6 here) tick every whole number, not 0 0 1 1 2 2."""
    fig = leadership_charts.rollout_chart(leadership.rollout(db.reader(small_db)).by_year, "fr")
    assert fig.layout.yaxis.dtick == 1


def test_targets_of_a_year_in_progress_follow_the_pace(small_db):
    """Test METRICS.md "Targets" for 2022-2023 judged on 20/01/2023 and 15/07/2023: expected =
    target × the share of its final value 2021-2022 had reached a year earlier, else linear."""
    from datetime import date
    reader = db.reader(small_db)
    rows = leadership.targets_vs_actuals(reader, Scope(academic_year=YEAR), on=date(2023, 1, 20)) \
        .set_index(["region_code", "metric"])
    # Souss-Massa: 3 enrolled (P05 P06 P07); 2021-2022 had all its 4 by 20/01/2022 → expected 5 × 4/4
    souss = rows.loc[("09", "participants")]
    assert (souss["actual"], souss["previous_actual"], souss["previous_final"]) == (3, 4, 4)
    assert (souss["pace"], souss["expected"], souss["status"]) == ("previous_year", 5.0, "behind")
    # Oriental: no 2021-2022 cohort → linear: 142 days of 365 since 01/09/2022 → 4 × 142/365 ≈ 1.56
    oriental = rows.loc[("02", "participants")]
    assert oriental["pace"] == "linear" and oriental["expected"] == pytest.approx(4 * 142 / 365)
    assert (oriental["actual"], oriental["status"]) == (3, "ahead")
    # Souss-Massa companies: CO1 (2021-2022) was registered on 01/07/2022, after 20/01/2022 → 0 expected
    assert rows.loc[("09", "companies_created"), ["expected", "status"]].tolist() == [0.0, "on_pace"]
    july_frame = leadership.targets_vs_actuals(reader, Scope(academic_year=YEAR), on=date(2023, 7, 15))
    july = july_frame.set_index(["region_code", "metric"])
    # by 15/07/2022 CO1 existed (1 of 1) → expected 2; CO2 (01/07/2023) makes 1 → 50 % → behind
    companies = july.loc[("09", "companies_created")]
    assert (companies["actual"], companies["previous_actual"], companies["expected"], companies["status"]) \
        == (1, 1, 2.0, "behind")
    totals = leadership.totals(july_frame).set_index("metric")
    assert totals.loc["participants", "target"] == 9 and totals.attrs["in_progress"]
