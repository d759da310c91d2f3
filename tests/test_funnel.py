"""The nested funnel (METRICS.md "Funnel"): each step holds only the people or projects of the
step before it, rates say what they are a share of, and women's share is given at every step.

Expected figures are counted by hand from tests/fixtures/small_programme.sql (and from the rows
EXTRA adds, for the cases the fixture lacks); the comments say which rows make each figure.
"""
from __future__ import annotations

import itertools

import pandas as pd
import pytest

from apptest_support import dashboard
from pie import db, kpis
from pie.demo import build_demo
from pie.programme import charts
from pie.programme import figures as programme
from pie.scope import Scope

pytestmark = pytest.mark.usefixtures("fresh_caches_for_module")

FUNNEL_PAGE = "pages/programme/funnel.py"
LANGUAGES = ("fr", "ar", "en")

# ------------------------------------------------------------------------------ expected (by hand)
# People. Participants P01-P10 (women P01 P03 P05 P08 P09); awareness completed by all but P07
# (dropped) and P10 (no row); awareness and fundamentals: P01 P02 P03 P05 P06 P08 (P04 dropped
# fundamentals, P09 still in it); all three: P01 P02 P05 P08 (P03 dropped immersion, P06 in it);
# of those, project members: all four. P06 is a member of PR2 without immersion: the KPI
# project_members counts 5 people, more than the 4 who completed immersion (the 125 % of the
# issue); the nested step counts 4.
PEOPLE = [10, 8, 6, 4, 4]
WOMEN = [5, 5, 4, 3, 3]                   # P01 P03 P05 P08 P09 / - P09 / - P03 / -
# Projects PR1-PR3, each led by a woman (P01, P05, P08). Submitted plan: all three (BP1, BP2,
# BP4); validated: PR1 (BP1), PR2 (BP3); financed: PR1 (FD1 BOA), PR2 (FD2 CAM); company: CO1
# (PR1), CO2 (PR2), 3 + 2 jobs.
PROJECTS = [3, 3, 2, 2, 2]

# Rows the fixture lacks, written straight into the database (the importer would refuse the
# phase rows): P11, a woman of C3 who completed immersion after dropping fundamentals; P12, a man
# who completed fundamentals and immersion with no awareness row; PR4 (led by P10, a man; P11 a
# member) with a submitted plan only and yet a company, CO3 (4 jobs); PR5 with a validated plan
# and no lead (P12 a member).
EXTRA = """
insert into participants values
    ('P11', 'C3', 'f', 2001, 'trainee', 'crafts', '2022-10-10'),
    ('P12', 'C3', 'm', 2000, 'trainee', 'crafts', '2022-10-10');
insert into phase_progress values
    ('P11', 'awareness', 'completed', '2022-10-12', '2022-11-02', 12.0),
    ('P11', 'fundamentals', 'dropped', '2022-11-07', null, 5.0),
    ('P11', 'immersion', 'completed', '2023-02-01', '2023-05-02', 100.0),
    ('P12', 'fundamentals', 'completed', '2022-11-07', '2023-01-25', 50.0),
    ('P12', 'immersion', 'completed', '2023-02-01', '2023-05-02', 100.0);
insert into projects values
    ('PR4', 'C3', 'Atelier solaire Oujda', 'renewable_energy', '2023-03-20'),
    ('PR5', 'C3', 'Tourisme rural Figuig', 'tourism', '2023-03-25');
insert into project_members values
    ('PR4', 'P10', 'lead'), ('PR4', 'P11', 'member'), ('PR5', 'P12', 'member');
insert into business_plans values
    ('BP6', 'PR4', 1, 'submitted', '2023-06-05', null, 30000.00, 4),
    ('BP7', 'PR5', 1, 'validated', '2023-06-05', '2023-06-20', 20000.00, 1);
insert into companies values
    ('CO3', 'PR4', 'auto_entrepreneur', '2023-09-01', '003456789000034', 4, 'active');
"""
# With EXTRA: awareness + P11 (9); awareness and fundamentals still 6 (P11 dropped fundamentals,
# P12 has no awareness); all three still 4, though the KPI immersion_completed is now 6.
EXTRA_PEOPLE = [12, 9, 6, 4, 4]
EXTRA_WOMEN = [6, 6, 4, 3, 3]
# Projects PR1-PR5; submitted: all five (BP7 validated counts as submitted); validated: PR1 PR2
# PR5; financed PR1 PR2; company among them CO1 CO2 (CO3's PR4 was never financed).
EXTRA_PROJECTS = [5, 5, 3, 2, 2]
# Led by a woman ÷ with a lead: PR1-PR3 of PR1-PR4 (PR5 has no lead); validated PR1 PR2 of PR1
# PR2 (PR5 no lead); financed and company: both woman-led.
EXTRA_WOMAN_LED = [3 / 4, 3 / 4, 2 / 2, 2 / 2, 2 / 2]


@pytest.fixture(scope="module")
def source(small_db):
    return db.reader(small_db)


@pytest.fixture(scope="module")
def extended_db(small_db, tmp_path_factory):
    """The small programme plus EXTRA, published."""
    import shutil

    folder = tmp_path_factory.mktemp("funnel_extra")
    shutil.copytree(small_db.parent, folder / "db")
    path = folder / "db" / small_db.name
    with db.writing(path) as con:
        con.execute(EXTRA)
    return path


def _counts(steps: pd.DataFrame, unit: str) -> list[int]:
    return steps.loc[steps["unit"] == unit, "count"].tolist()


# ------------------------------------------------------------------------------ the library
def test_people_and_project_steps_follow_the_fixture(source):
    """Test that the nested funnel counts the hand-counted people and projects at each step."""
    steps = programme.funnel(source)
    assert steps["key"].tolist() == list(programme.FUNNEL_KEYS)
    assert _counts(steps, programme.PEOPLE) == PEOPLE
    assert _counts(steps, programme.PROJECTS) == PROJECTS


def test_a_member_without_immersion_is_not_counted_at_the_project_step(source):
    """Test that the last people step counts project members among those who completed all
    three phases (4), where the non-nested KPI counts every member (5: P06 too)."""
    steps = programme.funnel(source).set_index("key")
    assert kpis.compute(source)["immersion_completed"] == 4
    assert steps.at["in_project", "count"] == 4
    assert steps.at["in_project", "rate"] == 1.0      # 4 of the 4 who completed all phases


def test_rates_are_shares_of_the_previous_step_and_of_the_first(source):
    """Test that rate = step ÷ previous step and share = step ÷ participants (or projects)."""
    steps = programme.funnel(source).set_index("key")
    assert steps.at["completed_awareness", "rate"] == pytest.approx(8 / 10)
    assert steps.at["completed_awareness_and_fundamentals", "rate"] == pytest.approx(6 / 8)
    assert steps.at["completed_awareness_and_fundamentals", "share"] == pytest.approx(6 / 10)
    assert steps.at["completed_all_phases", "rate"] == pytest.approx(4 / 6)
    assert steps.at["plan_validated", "rate"] == pytest.approx(2 / 3)
    assert steps.at["company_created", "share"] == pytest.approx(2 / 3)
    assert pd.isna(steps.at["participants", "rate"]) and pd.isna(steps.at["projects", "rate"])


def test_women_share_at_every_step(source):
    """Test that each people step gives the share of women among its people, and each project
    step the share of its projects led by a woman (all three here)."""
    steps = programme.funnel(source)
    people = steps[steps["unit"] == programme.PEOPLE]
    assert people["women"].tolist() == WOMEN
    assert people["women_share"].tolist() == pytest.approx([w / n for w, n in zip(WOMEN, PEOPLE)])
    projects = steps[steps["unit"] == programme.PROJECTS]
    assert projects["women_share"].tolist() == [1.0] * 5
    outcomes = programme.funnel_outcomes(programme.funnel_by_group(source, None, "all"))
    assert outcomes == programme.FunnelOutcomes(jobs_created=5, woman_led_jobs_share=1.0,
                                                companies_not_financed=0, jobs_not_financed=0)


def test_a_phase_completed_without_the_one_before_does_not_count(extended_db):
    """Test that P11's immersion (fundamentals dropped) and P12's fundamentals and immersion (no
    awareness) count in the KPIs but at no nested step past the one they miss."""
    reader = db.reader(extended_db)
    values = kpis.compute(reader)
    assert (values["fundamentals_completed"], values["immersion_completed"]) == (7, 6)  # KPIs: not nested
    steps = programme.funnel(reader)
    assert _counts(steps, programme.PEOPLE) == EXTRA_PEOPLE
    assert steps.loc[steps["unit"] == programme.PEOPLE, "women"].tolist() == EXTRA_WOMEN


def test_projects_nest_and_a_company_of_an_unfinanced_project_is_set_apart(extended_db):
    """Test the project steps with a validated plan never financed (PR5), a project with a
    company but no financing (PR4, CO3: reported apart, not counted at the last step) and a
    project without a lead (left out of the woman-led share)."""
    reader = db.reader(extended_db)
    assert kpis.compute(reader)["companies_created"] == 3
    totals = programme.funnel_by_group(reader, None, "all")
    steps = programme.funnel_steps(totals)
    projects = steps[steps["unit"] == programme.PROJECTS]
    assert projects["count"].tolist() == EXTRA_PROJECTS
    assert projects["women_share"].tolist() == pytest.approx(EXTRA_WOMAN_LED)
    assert programme.funnel_outcomes(totals) == programme.FunnelOutcomes(
        jobs_created=5, woman_led_jobs_share=1.0, companies_not_financed=1, jobs_not_financed=4)


def test_a_bank_counts_only_its_own_approvals(source):
    """Test BOA's funnel: its projects PR1-PR3 and their members P01 P02 P05 P06 P08; financed
    only PR1 (FD1; PR2's approval is CAM's), so only CO1 at the last step and CO2 set apart."""
    totals = programme.funnel_by_group(source, Scope.for_role("bank", "BOA"), "all")
    steps = programme.funnel_steps(totals)
    assert _counts(steps, programme.PEOPLE) == [5, 5, 5, 4, 4]
    assert _counts(steps, programme.PROJECTS) == [3, 3, 2, 1, 1]
    assert programme.funnel_outcomes(totals).companies_not_financed == 1


def test_an_empty_scope_has_every_step_at_zero(source):
    """Test that a scope with nobody gives every step 0 and no rate."""
    steps = programme.funnel(source, Scope(academic_year="2030-2031"))
    assert steps["count"].tolist() == [0] * len(programme.FUNNEL_STEPS)
    assert steps["rate"].isna().all() and steps["women_share"].isna().all()
    assert len(charts.funnel(steps, "fr").layout.annotations) == 2 + 2  # two titles, two "nothing here"


def test_unknown_breakdown_is_refused(source):
    """Test that a breakdown outside the list never reaches the SQL."""
    with pytest.raises(ValueError):
        programme.funnel_by_group(source, None, "city; drop table participants")


# ------------------------------------------------------------------------------ the demo
@pytest.fixture(scope="module")
def demo_reader(tmp_path_factory):
    path = tmp_path_factory.mktemp("funnel_demo") / "pie.duckdb"
    build_demo(path, participants=1000, seed=1)
    return db.reader(path)


def test_no_step_exceeds_the_previous_on_the_demo_for_any_filter(demo_reader):
    """Test, for every academic year and region of the demo (and both together) and two partner
    roles, that no step exceeds the one before it; and in each group of every breakdown."""
    years = [None, *sorted(demo_reader.query("filters/academic_years", Scope())["academic_year"])]
    regions = [None, *sorted(demo_reader.query("filters/regions", Scope())["region_code"])]
    scopes = [Scope(academic_year=y, region_code=r) for y, r in itertools.product(years, regions)]
    scopes += [Scope.for_role("bank", "BOA"), Scope.for_role("incubator", "MCISE")]
    cases = [(scope, "all") for scope in scopes]
    cases += [(Scope(), breakdown) for breakdown in (*programme.FUNNEL_BREAKDOWNS, *programme.FUNNEL_PEOPLE_BREAKDOWNS)]
    broken = []
    for scope, breakdown in cases:
        frame = programme.funnel_by_group(demo_reader, scope, breakdown)
        for unit in (programme.PEOPLE, programme.PROJECTS):
            keys = [step.key for step in programme.funnel_steps_of(unit) if step.key in frame.columns]
            for previous, step in zip(keys, keys[1:]):
                over = frame[frame[step] > frame[previous]]
                broken += [f"{scope} {breakdown} {key}: {step} > {previous}" for key in over["group_key"]]
    assert not broken, broken[:10]
    assert programme.funnel(demo_reader)["count"].iloc[4] > 0  # the demo reaches the last people step


# ------------------------------------------------------------------------------ the page
RATE_TITLE = {"fr": "Personnes (% de l'étape précédente)", "ar": "الأشخاص (% من المرحلة السابقة)",
              "en": "People (% of the previous step)"}
RATE_HEADER = {"fr": "Part de l'étape précédente", "ar": "الحصة من المرحلة السابقة",
               "en": "Share of the previous step"}
SHARE_OF_ALL = {"fr": "% de tous les participants du groupe", "ar": "% من جميع مشاركي الفئة",
                "en": "% of all the group's participants"}
# completed_all_phases: 3 women of 4 people.
WOMEN_AT_ALL_PHASES = {"fr": "dont femmes : 75,0\u00a0%", "ar": "75,0% نساء", "en": "women: 75.0%"}


def _chart_texts(at) -> list[str]:
    import json

    texts = []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        texts += [a.get("text", "") for a in spec["layout"].get("annotations", [])]
        texts += [spec["layout"].get("title", {}).get("text", "") or ""]
        for trace in spec["data"]:
            texts += [str(v) for v in trace.get("y", []) or []] + [str(v) for v in trace.get("text", []) or []]
    return texts


@pytest.mark.parametrize("lang", LANGUAGES)
def test_funnel_page_says_what_each_rate_is_a_share_of(monkeypatch, programme_db, lang):
    """Test that the Funnel page titles the funnel's rates as shares of the previous step, the
    steps table and the breakdown's rates likewise, the gender and profile charts as shares of
    all the group's participants, and shows women's share under the steps."""
    at = dashboard(monkeypatch, programme_db, lang=lang)
    at.switch_page(FUNNEL_PAGE).run()
    assert not at.exception
    texts = _chart_texts(at)
    assert any(RATE_TITLE[lang] in text for text in texts)
    assert sum(SHARE_OF_ALL[lang] in text for text in texts) == 2      # gender and profile
    assert any(WOMEN_AT_ALL_PHASES[lang] in text for text in texts)
    headers = [str(c) for table in at.dataframe for c in table.value.columns]
    assert RATE_HEADER[lang] in headers
    assert any(header.endswith(RATE_TITLE[lang][RATE_TITLE[lang].index("("):]) for header in headers)


def test_funnel_page_counts_the_nested_steps(monkeypatch, programme_db):
    """Test that the page's steps table holds the hand-counted nested steps, none above 100 %."""
    at = dashboard(monkeypatch, programme_db)
    at.switch_page(FUNNEL_PAGE).run()
    steps = at.dataframe[0].value
    assert steps["Nombre"].tolist() == PEOPLE + PROJECTS
    assert (steps["Part de l'étape précédente"].dropna() <= 1).all()
    # CO1 3 jobs + CO2 2 jobs, both of projects led by a woman (P01, P05)
    assert any("dernière étape : 5, dont 100,0\u00a0%" in caption.value for caption in at.caption)
    assert not at.info  # every company comes from a financed project


def test_funnel_page_reports_companies_outside_the_funnel(monkeypatch, extended_db):
    """Test that a company of a project never financed is said on the page, not hidden."""
    at = dashboard(monkeypatch, extended_db)
    at.switch_page(FUNNEL_PAGE).run()
    assert any("1 entreprise(s) (4 emplois)" in info.value for info in at.info)


def test_leadership_sees_the_nested_funnel(monkeypatch, programme_db):
    """Test that leadership (aggregates only) opens the Funnel page with the same figures."""
    at = dashboard(monkeypatch, programme_db, account="leadership")
    at.switch_page(FUNNEL_PAGE).run()
    assert not at.exception
    assert at.dataframe[0].value["Nombre"].tolist() == PEOPLE + PROJECTS


def test_a_narrow_bar_carries_its_figures_beside_it_and_titles_stay_inside(source):
    """Test that a bar narrower than NARROW_FUNNEL_BAR of its funnel's first bar gets its count
    and rate beside it (inside, they were hidden), wider bars inside, and that each funnel's
    title ends at its own area's end (it ran past the figure's edge)."""
    keys = [step.key for step in programme.funnel_steps_of(programme.PEOPLE)[:3]] + \
           [step.key for step in programme.funnel_steps_of(programme.PROJECTS)[:2]]
    steps = pd.DataFrame({"unit": [programme.PEOPLE] * 3 + [programme.PROJECTS] * 2, "key": keys,
                          "count": [100, 40, 39, 10, 3], "rate": [None, 0.4, 0.975, None, 0.3]})
    figure = charts.funnel(steps, "fr")
    assert list(figure.data[0].textposition) == ["inside", "inside", "outside"]
    assert list(figure.data[1].textposition) == ["inside", "outside"]
    for title, axis in zip(figure.layout.annotations, (figure.layout.xaxis, figure.layout.xaxis2)):
        assert (title.x, title.xanchor) == (axis.domain[1], "right")
