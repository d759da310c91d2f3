"""Typed exceptions of the library. The CLI turns them into a message and an exit code,
pages into st.error; neither shows a traceback to users."""


class PieError(Exception):
    """A problem the user can act on; str(error) says what and where (in English, for logs).

    With a translation `key` (and its `values`), `text(language)` says it in the user's
    language; pages and the CLI show that.
    """

    def __init__(self, message: str, *, key: str | None = None, **values: object):
        super().__init__(message)
        self.key = key
        self.values = values

    def text(self, language: str = "fr") -> str:
        """The message in `language` (the English message when there is no key)."""
        if self.key is None:
            return str(self)
        from pie import i18n

        return i18n.t(self.key, language, **self.values)


class DatabaseMissing(PieError):
    """The database file does not exist (create it with `init` or `demo`)."""


class DatabaseBusy(PieError):
    """Another writer held the database lock for longer than we could wait."""


class DatabaseNotEmpty(PieError):
    """`init` was asked to overwrite a database that holds data."""


class UnknownQuery(PieError):
    """A query name that has no file in queries/."""
