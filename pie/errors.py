"""Typed exceptions of the library. The CLI turns them into a message and an exit code,
pages into st.error; neither shows a traceback to users."""


class PieError(Exception):
    """A problem the user can act on; str(error) says what and where."""


class DatabaseMissing(PieError):
    """The database file does not exist (create it with `init` or `demo`)."""


class DatabaseBusy(PieError):
    """Another writer held the database lock for longer than we could wait."""


class DatabaseNotEmpty(PieError):
    """`init` was asked to overwrite a database that holds data."""


class UnknownQuery(PieError):
    """A query name that has no file in queries/."""
