"""Importing the partners' registers (shared/DATA_MODEL.md "Import rules").

The CLI (`python -m pie ingest|batches|export|templates`, pie/cli/ingest.py) and the
import page call the same functions:

    from pie import ingest

    report = ingest.check(files, db_path, user="amina", progress=cb)   # dry run
    show(report.to_frame())            # problems + warnings, downloadable (report.to_csv())
    if report.valid:                   # the user confirms
        report = ingest.ingest(files, db_path, user="amina", progress=cb)
    ingest.history(db_path)            # the import history, newest first

- `files`: paths (str/Path) of files or folders, `(name, bytes)` pairs, or objects with
  `.name` and `.getvalue()` (Streamlit's UploadedFile) — one batch, any order.
- `progress(step, fraction)`: step is one of api.STEPS (`read`, `check`, `cross`, `load`,
  `record`, `done`; i18n key `ingest.step.<step>`), fraction 0..1.
- `check` and `ingest` return a `Report` (pie/ingest/report.py): `outcome` (`accepted`,
  `rejected`, or `checked` for a dry run), `valid`, `rows` {table: n}, `problems`,
  `warnings` (each a `Problem` with type, file, row, column, value, `reason(language)`),
  `as_json()` (the `--json` shape of CLI.md), `to_rows()`, `to_frame()`, `to_csv()`.
- They raise PieError subclasses (pie/errors.py, with a translation key), nothing recorded,
  when the database is missing, busy, or a demo (`ImportRefused`), or a path does not exist.

Partners (DESIGN.md, Roles; pie/ingest/partners.py, pie/ingest/submissions.py). The page
passes the logged-in account's name as `user`, nothing else: the importer reads that
account's role and scope from the accounts store, so an establishment, bank or incubator
account can only write its own rows (`outside-scope` problems otherwise), and its valid batch
is `submitted`, not loaded, unless a manager trusts it:

    report = ingest.check(files, db_path, user=account.user_name)      # partner's dry run
    report.json_outcome()            # "submitted" (would wait), "accepted" (trusted), "rejected"
    report = ingest.ingest(files, db_path, user=account.user_name)     # outcome "submitted"
    ingest.history(db_path, user_name=account.user_name)   # a partner's own batches, with
                                     # outcome, reviewed_by, reviewed_at, review_comment

    # the manager's approval queue
    ingest.pending(db_path)                                # batches awaiting approval
    ingest.submissions.preview(db_path, batch_id)          # rows added/updated/unchanged per
                                     # table, the partner's figures before -> after, problems
    report = ingest.approve(db_path, batch_id, user=manager.user_name)  # "approved", or
                                     # "submitted" + the problems that refused it (nothing written)
    ingest.return_batch(db_path, batch_id, comment, user=manager.user_name)
    auth.set_trusted(db_path, partner_name, True, by=manager.user_name)

`approve` and `return_batch` raise NotAwaitingApproval for a batch that is not `submitted`,
ReviewRefused when `user` is an account that is not an admin or manager.

Flow of one batch: readers.py reads every file (CSV/XLSX, encodings, separators) into text
cells; validate.py stages them in an in-memory DuckDB, parses and checks every cell and
row rule in SQL, writes the typed batch to a staging file (imports/.staging/), then — inside one `pie.db.writing()` transaction on the database of
record — checks references and cross-table rules against the database plus the batch;
load.py upserts the batch only if nothing was found, archive.py keeps the originals of an
accepted batch under imports/<batch_id>/, and every batch is recorded in import_batches and
audit_log. export.py writes the tables back in the import format; templates.py writes
empty templates.
"""
from pie.errors import ImportRefused
from pie.ingest import submissions
from pie.ingest.api import STEPS, check, default_user, ingest
from pie.ingest.load import history
from pie.ingest.report import PROBLEM_TYPES, Problem, Report
from pie.ingest.submissions import approve, pending, preview, return_batch

__all__ = ["STEPS", "ImportRefused", "check", "default_user", "ingest", "history", "PROBLEM_TYPES",
           "Problem", "Report", "approve", "pending", "preview", "return_batch", "submissions"]
