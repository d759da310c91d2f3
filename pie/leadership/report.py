"""The leadership report: headline KPIs, the map, targets vs actuals, the funnel and the rollout of
one scope (the country or a region) for one academic year, as an A4 PDF.

Figures come from pie.kpis and pie.leadership (the same code as the pages and `python -m pie
kpis`), numbers are formatted as the CLI prints them (pie.kpis.format_indicator). Charts become
PNG through kaleido (one Chromium per process, `kaleido.start_sync_server`), the HTML
(templates/) becomes a PDF through WeasyPrint. Arabic documents are `dir="rtl"`; numbers use
Babel's separators, which keep their order inside Arabic text (FIELD_NOTES.md).
"""
from __future__ import annotations

import base64
import html
import os
import re
import tempfile
import threading
import warnings
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from string import Template

import pandas as pd

from pie import charts, db, i18n, kpis
from pie.leadership import figures as leadership
from pie.programme import figures as programme
from pie.kpis import format_indicator
from pie.errors import PieError
from pie.queries import Source
from pie.scope import Scope

TEMPLATES = Path(__file__).with_name("report_templates")
FONTS = '"Noto Sans", "Noto Sans Arabic", "Noto Naskh Arabic", "DejaVu Sans", sans-serif'
HEADLINE_KEYS = ("participants", "women_share", "immersion_completed", "plans_validated",
                 "projects_financed", "amount_approved_mad", "companies_created", "jobs_created")
MAP_INDICATOR = "participants"
ESTABLISHMENTS_LISTED = 30  # in a region's report; more are summarised in one line
IMAGE_SCALE = 2

_kaleido_lock = threading.Lock()
_kaleido_started = False


# ------------------------------------------------------------------------------ what the report says
@dataclass
class ReportData:
    language: str
    year: str
    previous_year: str
    region: pd.Series | None              # the regions row, None for the whole country
    indicators: dict[str, int | float | None]
    previous: dict[str, int | float | None]   # the previous year, at the same date while `year` is in progress
    regions: pd.DataFrame                 # regional_indicators of the year, all 12 regions (map)
    scoped_regions: pd.DataFrame          # the same for the scope (1 row for a region)
    targets: pd.DataFrame                 # targets_vs_actuals of the scope
    totals: pd.DataFrame
    funnel: pd.DataFrame
    establishments: pd.DataFrame          # establishments_on_map of the scope and year
    launches: pd.DataFrame                # rollout(...).launches of the scope
    stamp: leadership.DataStamp
    generated_on: date
    data_date: date | None = None             # T, the latest event date of the data (METRICS.md)
    previous_as_of: date | None = None        # T − 1 year when `year` is in progress (METRICS.md)


def collect(source: Source, year: str, region: str | None, language: str) -> ReportData:
    """Every figure of the report for `year` and `region` (None: the whole country)."""
    scope = Scope(academic_year=year, region_code=region)
    previous = leadership.previous_year(year)
    indicators = kpis.compute(source, scope)
    compared = kpis.compare_years(source, scope)
    regions = leadership.regional_indicators(source, Scope(academic_year=year))
    targets = leadership.targets_vs_actuals(source, scope)
    region_row = None
    if region is not None:
        region_row = regions[regions["region_code"] == region].iloc[0]
    return ReportData(
        language=language, year=year, previous_year=previous, region=region_row,
        indicators=indicators, previous=compared.previous_values, previous_as_of=compared.previous.as_of,
        regions=regions,
        scoped_regions=regions if region is None else regions[regions["region_code"] == region],
        targets=targets, totals=leadership.totals(targets),
        funnel=programme.funnel(source, scope),  # nested, as on the Funnel page (METRICS.md)
        establishments=leadership.establishments_on_map(source, scope),
        launches=leadership.rollout(source, scope).launches,
        stamp=leadership.data_stamp(source),
        generated_on=datetime.now(timezone.utc).date(),
        data_date=kpis.data_date(source),
    )


# ------------------------------------------------------------------------------ charts as PNG
def _start_kaleido() -> None:
    """One headless Chromium for the whole process (later images take ~0.2 s instead of ~2 s)."""
    global _kaleido_started
    if not _kaleido_started:
        import kaleido

        from pie.leadership import charts as leadership_charts

        leadership_charts.use_local_topology()
        kaleido.start_sync_server(silence_warnings=True)
        _kaleido_started = True


def figure_png(fig, width: int, height: int) -> bytes:
    """A plotly figure as PNG bytes (thread-safe: kaleido's server answers one call at a time)."""
    with _kaleido_lock:
        _start_kaleido()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "kopts is ignored if using a server": expected
            return fig.to_image(format="png", width=width, height=height, scale=IMAGE_SCALE)


def render_images(data: ReportData) -> dict[str, bytes]:
    """The map and the funnel of the report as PNG."""
    from pie.leadership import charts as leadership_charts
    from pie.programme import charts as programme_charts

    focus = None if data.region is None else data.region["region_code"]
    region_map = leadership_charts.region_map(data.regions, MAP_INDICATOR, data.establishments,
                                              data.language, focus=focus, font_size=16)
    region_map.update_layout(margin=dict(l=0, r=0, t=0, b=0))
    images = {"map": figure_png(charts.localised(region_map, data.language), 900, 800)}
    if data.funnel["count"].sum():  # an empty funnel says nothing: the text says why instead
        funnel = programme_charts.funnel(data.funnel, data.language)
        funnel.update_layout(height=400)
        images["funnel"] = figure_png(charts.localised(funnel, data.language), 1000, 400)
    return images


# ------------------------------------------------------------------------------ HTML
def _e(text: object) -> str:
    return html.escape(str(text), quote=True)




def _img(png: bytes | None, alt: str) -> str:
    if png is None:
        return ""
    return f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" alt="{_e(alt)}">'


def _date(value: object, language: str) -> str:
    if value is None or pd.isna(value):
        return i18n.EMPTY
    return i18n.fmt_date(pd.Timestamp(value).date(), language)


def _region_name(row: pd.Series, language: str) -> str:
    return row["name_ar"] if language == "ar" else row["name_fr"]


def _count(value: object, language: str) -> str:
    return i18n.EMPTY if value is None or pd.isna(value) else i18n.fmt_number(int(value), language)


_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")


def _iso(text: object, language: str) -> str:
    """In a right-to-left document, `text` without Arabic letters (a year such as 2024-2025, a
    signed number, a French name) as a left-to-right isolate (U+2066 … U+2069): WeasyPrint
    otherwise shows 2024-2025 as 2025-2024 and +53 as 53+ inside Arabic lines."""
    text = str(text)
    if language not in i18n.RIGHT_TO_LEFT or _ARABIC_LETTER.search(text):
        return text
    return f"\u2066{text}\u2069"


def _t(data: ReportData, key: str, **values: object) -> str:
    """The text of `key` in the report's language, its values isolated where needed (_iso)."""
    return i18n.t(key, data.language, **{name: _iso(value, data.language) for name, value in values.items()})


def _stamp_line(data: ReportData) -> str:
    """"Émis le … · Données au 01/07/2024 · dernier import le 04/12/2026", the line every page
    of the dashboard has under its title (pie.i18n.data_as_of); a demo, or a database never
    imported into, says so and when it was built instead of the import."""
    language = data.language
    generated = _t(data, "report.generated", date=i18n.fmt_date(data.generated_on, language))
    stamp = data.stamp
    created = _date(stamp.created_at, language) if stamp.created_at is not None else i18n.EMPTY
    as_of = (_t(data, "data_as_of.date", date=i18n.fmt_date(data.data_date, language)) if data.data_date is not None
             else _t(data, "data_as_of.no_data"))
    if stamp.is_demo:
        source = _t(data, "report.data.demo", date=created)
    elif stamp.last_import_at is not None:
        source = _t(data, "data_as_of.last_import", date=_date(stamp.last_import_at, language))
    else:
        source = _t(data, "report.data.no_import", date=created)
    return " · ".join(_e(part) for part in (generated, as_of, source))


VALUE_KEYS = kpis.RATE_KEYS | {"median_days_to_decision"}


def _previous_label(data: ReportData) -> str:
    """"2025-2026", or "2025-2026 au 30/11/2025" while the report's year is in progress."""
    year = _iso(data.previous_year, data.language)
    if data.previous_as_of is None:
        return year
    return i18n.t("report.headline.year_at", data.language, year=year,
                  date=_iso(i18n.fmt_date(data.previous_as_of, data.language), data.language))


def _targets_rule(data: ReportData) -> str:
    """How the targets are judged, with the reference used (METRICS.md "Targets")."""
    attrs = data.targets.attrs
    if not attrs.get("in_progress"):
        return _t(data, "report.targets.rule")
    on = attrs["data_date"]
    references = set(data.targets.loc[data.targets["target"].notna(), "pace"].dropna())
    key = "report.targets.rule_pace_linear" if references == {kpis.PACE_LINEAR} else "report.targets.rule_pace"
    return _t(data, key, year=data.year, date=i18n.fmt_date(on, data.language), previous=data.previous_year,
              previous_date=i18n.fmt_date(kpis.year_earlier(on), data.language))


def _cards(data: ReportData) -> str:
    cards = []
    for key in HEADLINE_KEYS:
        value = data.indicators[key]
        before = data.previous[key]
        change = ""
        if before is not None and value is not None and key in VALUE_KEYS:
            # a median or a rate: the previous year's value, never a difference
            change = _e(i18n.t("report.headline.versus", data.language,
                               value=format_indicator(key, before, data.language), year=_previous_label(data)))
        elif before is not None and value is not None:
            delta = value - before
            text = _iso(_signed(delta, data.language), data.language)
            if key in kpis.AMOUNT_KEYS:
                text += "\u00a0" + i18n.t("unit.mad", data.language)
            change = _e(i18n.t("report.headline.change", data.language, change=text,
                               year=_previous_label(data)))
        cards.append(
            f'<div class="card"><div class="label">{_e(_t(data, f"kpi.{key}"))}</div>'
            f'<div class="value">{_e(format_indicator(key, value, data.language))}</div>'
            f'<div class="change">{change}</div></div>')
    return "\n".join(cards)


def _reach_line(data: ReportData) -> str:
    youth = int(data.scoped_regions["youth_15_29_2024"].sum())
    reach = leadership.reach_per_10k(int(data.indicators["participants"] or 0), youth)
    return _e(_t(data, "report.reach", value=i18n.fmt_number(reach, data.language,
                                                           decimals=leadership.reach_decimals(reach)),
                 population=i18n.fmt_number(youth, data.language)))


def _signed(value: int | float, language: str) -> str:
    """+12 / -3, and a plain 0 for no change."""
    return i18n.fmt_number(0, language) if value == 0 else i18n.fmt_signed(value, language)


def _status(status: str, data: ReportData) -> str:
    return f'<span class="status {status}">{_e(_t(data, f"leadership.status.{status}"))}</span>'


def _percent(value: object, language: str) -> str:
    return i18n.EMPTY if value is None or pd.isna(value) else i18n.fmt_percent(value, language, decimals=0)


def _summary_table(data: ReportData) -> str:
    """One row per target metric: target, actual, progress, status, previous year, change."""
    language = data.language
    head = (f"<tr><th>{_e(_t(data, 'report.col.indicator'))}</th>"
            f"<th class='num'>{_e(_t(data, 'report.col.target'))}</th>"
            f"<th class='num'>{_e(_t(data, 'report.col.actual'))}</th>"
            f"<th class='num'>{_e(_t(data, 'report.col.progress'))}</th>"
            f"<th>{_e(_t(data, 'report.col.status'))}</th>"
            f"<th class='num'>{_e(_iso(data.previous_year, language))}</th>"
            f"<th class='num'>{_e(_t(data, 'report.col.change'))}</th></tr>")
    rows = []
    for _, row in data.totals.iterrows():
        rows.append(
            f"<tr><td>{_e(_t(data, 'kpi.' + row['metric']))}</td>"
            f"<td class='num'>{_count(row['target'], language)}</td>"
            f"<td class='num'>{_count(row['actual'], language)}</td>"
            f"<td class='num'>{_percent(row['progress'], language)}</td>"
            f"<td>{_status(row['status'], data)}</td>"
            f"<td class='num'>{_count(row['previous_actual'], language)}</td>"
            f"<td class='num'>{_e(_iso(_signed(int(row['change']), language), language))}</td></tr>")
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _by_region_table(data: ReportData) -> str:
    """Regions with a target or an actual this year; per metric `actual / target` and progress."""
    language = data.language
    targets = data.targets
    active = targets.groupby("region_code").apply(
        lambda part: part["target"].notna().any() or (part["actual"] > 0).any(), include_groups=False)
    codes = [code for code, keep in active.items() if keep]
    if not codes:
        return f"<p>{_e(_t(data, 'report.targets.none_by_region'))}</p>"
    head = "<tr><th>" + _e(_t(data, "report.col.region")) + "</th>" + "".join(
        f"<th class='num'>{_e(_t(data, 'kpi.' + metric))}</th>" for metric in leadership.TARGET_METRICS) + "</tr>"
    rows = []
    for code in codes:
        part = targets[targets["region_code"] == code].set_index("metric")
        cells = []
        for metric in leadership.TARGET_METRICS:
            row = part.loc[metric]
            if pd.isna(row["target"]):
                cells.append(f"<td class='num'>{_count(row['actual'], language)}"
                             f"<div class='cell-sub no_target'>{_e(_t(data, 'leadership.status.no_target'))}</div></td>")
            else:
                cells.append(
                    f"<td class='num'>{_count(row['actual'], language)} / {_count(row['target'], language)}"
                    f"<div class='cell-sub {row['status']}'>{_percent(row['progress'], language)}"
                    f" · {_e(_t(data, 'leadership.status.' + row['status']))}</div></td>")
        rows.append(f"<tr><td>{_e(_region_name(part.iloc[0], language))}</td>{''.join(cells)}</tr>")
    total_cells = []
    for _, row in data.totals.iterrows():
        target = "" if pd.isna(row["target"]) else f" / {_count(row['target'], language)}"
        total_cells.append(f"<td class='num'>{_count(row['actual'], language)}{target}"
                           f"<div class='cell-sub {row['status']}'>{_percent(row['progress'], language)}</div></td>")
    rows.append(f"<tr class='total'><td>{_e(_t(data, 'report.targets.national'))}</td>{''.join(total_cells)}</tr>")
    columns = "<colgroup><col class='name'>" + "<col>" * len(leadership.TARGET_METRICS) + "</colgroup>"
    return f"<table class='by-region'>{columns}<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _targets_tables(data: ReportData) -> str:
    parts = []
    if data.targets["target"].notna().sum() == 0:
        parts.append(f"<p>{_e(_t(data, 'report.targets.none', year=data.year))}</p>")
    heading = "report.targets.national" if data.region is None else "report.targets.region"
    parts.append(f"<h3>{_e(_t(data, heading))}</h3>{_summary_table(data)}")
    if data.region is None:
        parts.append(f"<h3>{_e(_t(data, 'report.targets.by_region'))}</h3>{_by_region_table(data)}")
    return "\n".join(parts)


def _rollout_table(data: ReportData) -> str:
    language = data.language
    if data.region is None:
        head = (f"<tr><th>{_e(_t(data, 'report.col.region'))}</th>"
                f"<th class='num'>{_e(_t(data, 'report.col.launched'))}</th>"
                f"<th class='num'>{_e(_t(data, 'report.col.establishments'))}</th>"
                f"<th class='num'>{_e(_t(data, 'report.col.participants_year', year=data.year))}</th>"
                f"<th class='num'>{_e(_t(data, 'report.col.reach'))}</th></tr>")
        merged = data.launches.merge(data.regions[["region_code", "participants", "reach_per_10k"]],
                                     on="region_code", how="left")
        merged = merged.sort_values(["first_launch_date", "region_code"], na_position="last")
        rows = [
            f"<tr><td>{_e(_region_name(row, language))}</td>"
            f"<td class='num'>{_e(_date(row['first_launch_date'], language)) if not pd.isna(row['first_launch_date']) else _e(_t(data, 'leadership.not_launched'))}</td>"
            f"<td class='num'>{_count(row['n_establishments_launched'], language)}</td>"
            f"<td class='num'>{_count(row['participants'], language)}</td>"
            f"<td class='num'>{_e(i18n.fmt_number(row['reach_per_10k'], language, decimals=leadership.reach_decimals(row['reach_per_10k'])))}</td></tr>"
            for _, row in merged.iterrows()]
        return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
    establishments = data.establishments.sort_values(["pie_launch_date", "name"], na_position="last")
    if not len(establishments):
        return f"<p>{_e(_t(data, 'report.rollout.none'))}</p>"
    head = (f"<tr><th>{_e(_t(data, 'report.col.establishment'))}</th>"
            f"<th>{_e(_t(data, 'report.col.city'))}</th>"
            f"<th class='num'>{_e(_t(data, 'report.col.launched'))}</th>"
            f"<th class='num'>{_e(_t(data, 'report.col.participants_year', year=data.year))}</th></tr>")
    rows = [
        f"<tr><td>{_e(_iso(row['name'], language))}</td>"
        f"<td>{_e(row['city'] or i18n.EMPTY)}</td>"
        f"<td class='num'>{_e(_date(row['pie_launch_date'], language))}</td>"
        f"<td class='num'>{_count(row['participants'], language)}</td></tr>"
        for _, row in establishments.head(ESTABLISHMENTS_LISTED).iterrows()]
    more = len(establishments) - ESTABLISHMENTS_LISTED
    tail = f"<p class='note'>{_e(_t(data, 'leadership.map.more', n=more))}</p>" if more > 0 else ""
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>{tail}"


def _notes(data: ReportData) -> str:
    keys = ("report.note.scope", "report.note.reach", "report.note.targets", "report.note.funnel",
            "report.credit.hcp", "report.credit.geo")
    return "\n".join(f"<p>{_e(_t(data, key, year=data.year))}</p>" for key in keys)


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def report_html(data: ReportData, images: dict[str, bytes] | None = None) -> str:
    """The report as one HTML document (images embedded as data: URIs)."""
    images = images or {}
    language = data.language
    if data.region is None:
        scope_line = _t(data, "report.scope.country", year=data.year)
    else:
        scope_line = _t(data, "report.scope.region", region=_region_name(data.region, language), year=data.year)
    css = Template((TEMPLATES / "report.css").read_text(encoding="utf-8")).substitute(
        fonts=FONTS, page_word=_css_string(_t(data, "report.page")),
        footer_left=_css_string(f"{_t(data, 'report.title')} · {scope_line}"))
    demo_banner = (f'<div class="demo">{_e(_t(data, "report.demo_banner"))}</div>' if data.stamp.is_demo else "")
    page = Template((TEMPLATES / "report.html").read_text(encoding="utf-8"))
    return page.substitute(
        lang=language, dir="rtl" if language in i18n.RIGHT_TO_LEFT else "ltr", css=css,
        org=_e(_t(data, "report.org")), title=_e(_t(data, "report.title")), scope_line=_e(scope_line),
        stamp_line=_stamp_line(data), demo_banner=demo_banner,
        headline_title=_e(_t(data, "report.section.headline", year=data.year)), cards=_cards(data),
        reach_line=_reach_line(data),
        map_title=_e(_t(data, "report.section.map" if data.region is None else "report.section.map_region",
                        year=data.year)),
        map_image=_img(images.get("map"), _t(data, "report.section.map", year=data.year)),
        map_caption=_e(_t(data, "report.map.caption" if data.region is None else "report.map.caption_region",
                          year=data.year)),
        targets_title=_e(_t(data, "report.section.targets", year=data.year)),
        targets_tables=_targets_tables(data), status_rule=_e(_targets_rule(data)),
        funnel_title=_e(_t(data, "report.section.funnel", year=data.year)),
        funnel_image=(_img(images["funnel"], _t(data, "report.section.funnel", year=data.year))
                      if "funnel" in images else f"<p>{_e(_t(data, 'report.funnel.empty', year=data.year))}</p>"),
        funnel_caption=_e(_t(data, "report.funnel.caption")),
        rollout_title=_e(_t(data, "report.section.rollout")), rollout_table=_rollout_table(data),
        notes_title=_e(_t(data, "report.section.notes")), notes=_notes(data),
    )


# ------------------------------------------------------------------------------ the PDF
def _check_output(out: Path) -> Path:
    """Refuse early (before any work) an output that cannot be written."""
    out = Path(out)
    if out.is_dir():
        raise PieError(f"{out} is a folder; give a file name such as rapport.pdf",
                       key="report.error.out_is_dir", path=out)
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir() or not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise PieError(f"cannot write {out}: check that its folder exists and is writable",
                       key="report.error.cannot_write", path=out)
    return out


def report_pdf(db_path: Path | str | None, year: str, region: str | None = None,
               language: str = i18n.DEFAULT_LANGUAGE) -> bytes:
    """The leadership report of `year` for `region` (None: the whole country) in `language`, as
    PDF bytes (what a page hands to st.download_button).

    Raises PieError for an unknown language, year or region, or a missing database."""
    if language not in i18n.LANGUAGES:
        raise PieError(f"unknown language {language!r}; languages are {', '.join(i18n.LANGUAGES)}",
                       key="report.error.language", language=language, languages=", ".join(i18n.LANGUAGES))
    region = leadership.check_region(region)
    source = db.reader(db_path)
    year = leadership.check_year(source, year)
    data = collect(source, year, region, language)
    document = report_html(data, render_images(data))

    from weasyprint import HTML

    return HTML(string=document, base_url=str(TEMPLATES)).write_pdf()


def build_report(db_path: Path | str | None, year: str, region: str | None = None,
                 language: str = i18n.DEFAULT_LANGUAGE, out: Path | str = Path("rapport.pdf")) -> Path:
    """Write `report_pdf(...)` to `out` (A4 PDF, replaced atomically) and return its path.

    Raises PieError as report_pdf does, and for an output that cannot be written (checked
    before any work)."""
    out = _check_output(Path(out))
    pdf = report_pdf(db_path, year, region, language)
    try:
        with tempfile.NamedTemporaryFile(dir=out.parent, prefix=f".{out.name}.", suffix=".partial",
                                         delete=False) as partial:
            partial.write(pdf)
        os.replace(partial.name, out)
    except OSError as error:
        raise PieError(f"cannot write {out}: {error}", key="report.error.cannot_write", path=out) from error
    return out
