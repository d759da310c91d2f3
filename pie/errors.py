"""Typed exceptions of the library, all of them here.

Convention: a library function raises `SomeError(key="…", **values)`, never a translated
text. `str(error)` is an English message for logs (the English text of the key, or the
message given as first argument); `error.text(language)` says it in the user's language and is
called only at the edge: the CLI (pie/cli/), the pages and pie.ui (st.error) and the PDF
report. Third-party errors that reach the user are wrapped in one of these with a key (the
original is kept as `__cause__`). The CLI turns them into a message and an exit code, pages
into st.error; neither shows a traceback to users.
"""
from __future__ import annotations

from datetime import datetime


class PieError(Exception):
    """A problem the user can act on, carrying a translation `key` and its `values`.

    `PieError(key="…", **values)` takes its English message (str(error), for logs) from the
    key's English text; `PieError("message", key="…", **values)` gives it.
    """

    def __init__(self, message: str | None = None, *, key: str | None = None, **values: object):
        if message is None:
            if key is None:
                raise TypeError("a PieError needs a translation key (or at least a message)")
            from pie import i18n

            message = i18n.t(key, "en", **values)
        super().__init__(message)
        self.key = key
        self.values = values

    def text(self, language: str = "fr") -> str:
        """The message in `language` (the English message when there is no key)."""
        if self.key is None:
            return str(self)
        from pie import i18n

        return i18n.t(self.key, language, **self.values)


# ------------------------------------------------------------------------------ database
class DatabaseMissing(PieError):
    """The database file (or its published snapshot) does not exist (create it with `init` or `demo`)."""


class DatabaseBusy(PieError):
    """Another writer held the database lock for longer than we could wait."""


class DatabaseNotEmpty(PieError):
    """`init` or `demo` was asked to overwrite a database that holds data."""


class ReadOnly(PieError):
    """A write that would change what pages show, in a PIE_READ_ONLY process."""


class UnknownQuery(PieError):
    """A query name that has no file in queries/."""


# ------------------------------------------------------------------------------ accounts
class AccountError(PieError):
    """A refused account operation (bad name, unknown user, weak password…)."""


class LoginFailed(PieError):
    """Wrong user name or password (deliberately not saying which)."""


class AccountLocked(PieError):
    """Too many failed logins: the account is locked until `until` (UTC) for `minutes`."""

    def __init__(self, until: datetime, minutes: int):
        super().__init__(f"account locked until {until:%H:%M} UTC", key="auth.error.locked",
                         minutes=minutes, until=f"{until:%H:%M}")
        self.until = until


# ------------------------------------------------------------------------------ imports
class ImportRefused(PieError):
    """The database may not receive imports (a demo database)."""


class ReviewRefused(PieError):
    """A manager's approval or return that cannot be done (not a manager, files changed…)."""


class NotAwaitingApproval(ReviewRefused):
    """Approving or returning a batch that is not waiting for approval (unknown, approved,
    returned, or an ordinary import)."""


class ActionRefused(PieError):
    """A follow-up action that cannot be recorded (a participant outside the account's scope,
    a role that may not act, an unknown code, a note too long, a next date before the action)."""


class NotReadable(PieError):
    """A file of an import that cannot be read; its key and values make the importer's Problem."""


# ------------------------------------------------------------------------------ CLI
class UsageError(PieError):
    """A bad command-line argument value found after parsing (exit status 2)."""
