"""Everything stored about one person, for a request under Law 09-08 (docs/PRIVACY.md):
their rows in every table — participants, participant_contacts, phase_progress,
project_members, and the projects, plans, decisions, loan follow-ups, stages, coaching
sessions, companies and company follow-ups of their projects — their erasure record if any,
and every access to their contacts (the access log), as CSV files (UTF-8 with BOM) and a
one-page PDF in French and Arabic that lists them, ready to send."""
from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import pandas as pd

from pie import db, i18n
from pie.config import settings
from pie.errors import PieError
from pie.privacy import access_log

FONTS = '"Noto Sans", "Noto Sans Arabic", "Noto Naskh Arabic", "DejaVu Sans", sans-serif'
PROJECTS = "(select project_id from project_members where participant_id = $id)"
PLANS = f"(select plan_id from business_plans where project_id in {PROJECTS})"
# table -> the rows about the person
TABLES = {
    "participants": "participant_id = $id",
    "participant_contacts": "participant_id = $id",
    "phase_progress": "participant_id = $id",
    "project_members": "participant_id = $id",
    "projects": f"project_id in {PROJECTS}",
    "business_plans": f"project_id in {PROJECTS}",
    "financing_decisions": f"plan_id in {PLANS}",
    "loan_followups": f"decision_id in (select decision_id from financing_decisions where plan_id in {PLANS})",
    "incubation_stages": f"project_id in {PROJECTS}",
    "coaching_sessions": f"project_id in {PROJECTS}",
    "companies": f"project_id in {PROJECTS}",
    "company_followups": f"company_id in (select company_id from companies where project_id in {PROJECTS})",
}


def collect(db_path: Path | str | None, participant_id: str) -> dict[str, pd.DataFrame]:
    """The person's rows, table by table (the published snapshot), plus `erased_participants`
    and `contact_access` (the access log)."""
    frames: dict[str, pd.DataFrame] = {}
    with db.reader(db_path).connection().cursor() as cur:
        for table, where in TABLES.items():
            frames[table] = cur.execute(f"select * from {table} where {where}", {"id": participant_id}).df()
        erased = cur.execute("select count(*) from information_schema.tables "
                             "where table_name = 'erased_participants'").fetchone()[0]
        frames["erased_participants"] = (
            cur.execute("select * from erased_participants where participant_id = $id", {"id": participant_id}).df()
            if erased else pd.DataFrame(columns=["participant_id", "erased_on", "reason", "erased_by"]))
    if frames["participants"].empty and frames["erased_participants"].empty:
        raise PieError(key="privacy.error.unknown_participant", participant=participant_id)
    frames["contact_access"] = pd.DataFrame(access_log.entries(db_path, participant_id=participant_id),
                                            columns=list(access_log.COLUMNS))
    return frames


def _summary(frames: dict[str, pd.DataFrame], participant_id: str, language: str) -> str:
    def t(key: str, **values: object) -> str:
        return html.escape(i18n.t(key, language, **values))

    contacts = frames["participant_contacts"]
    if contacts.empty:
        held = t("privacy.pdf.no_contacts")
    else:
        row = contacts.iloc[0]
        held = t("privacy.pdf.contacts", name=row["full_name"] or "", cin=row["national_id"] or "—",
                 phone=row["phone"] or "—", email=row["email"] or "—")
    counts = "".join(f"<tr><td>{html.escape(table)}.csv</td><td>{len(frame)}</td></tr>"
                     for table, frame in frames.items())
    direction = "rtl" if language == "ar" else "ltr"
    return (f'<section dir="{direction}" lang="{language}"><h2>{t("privacy.pdf.title", participant=participant_id)}</h2>'
            f"<p>{t('privacy.pdf.intro', today=date.today().isoformat())}</p><p>{held}</p>"
            f"<table><tr><th>{t('privacy.pdf.file')}</th><th>{t('privacy.pdf.rows')}</th></tr>{counts}</table>"
            f"<p>{t('privacy.pdf.rights')}</p></section>")


def pdf_bytes(frames: dict[str, pd.DataFrame], participant_id: str) -> bytes:
    """One A4 page: the same summary in French, then in Arabic (right to left)."""
    from weasyprint import HTML  # heavy: only when a PDF is asked for

    style = (f"@page {{ size: A4; margin: 12mm; }} body {{ font-family: {FONTS}; font-size: 8.5pt; }} "
             "h2 { font-size: 11pt; margin: 0 0 4pt; } table { border-collapse: collapse; } "
             "td, th { border: 0.5pt solid #999; padding: 1pt 4pt; } section { margin-bottom: 8pt; } "
             "section table { float: none; }")
    body = _summary(frames, participant_id, "fr") + _summary(frames, participant_id, "ar")
    document = f"<html><head><meta charset='utf-8'><style>{style}</style></head><body>{body}</body></html>"
    return HTML(string=document).write_pdf()


def export(db_path: Path | str | None, participant_id: str, out_dir: Path | str, user: str | None = "cli") -> list[Path]:
    """Write `<table>.csv` per table and `<participant_id>.pdf` in `out_dir`; logs the export
    in the access log (the person's contacts leave the system). Returns the files written."""
    path = Path(db_path) if db_path is not None else settings().db_path
    frames = collect(path, participant_id)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for table, frame in frames.items():
        file = out / f"{table}.csv"
        frame.to_csv(file, index=False, encoding="utf-8-sig")
        written.append(file)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in participant_id)
    pdf = out / f"{safe}.pdf"
    pdf.write_bytes(pdf_bytes(frames, participant_id))
    written.append(pdf)
    if not frames["participant_contacts"].empty:
        access_log.record(user, None, "export", f"privacy export {out}", [participant_id], db_path=path, wait=True)
    return written
