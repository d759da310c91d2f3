"""Which pages exist and which roles see them (DESIGN.md, Roles).

dashboard.py registers only the pages of the logged-in user's role, so no URL reaches a
page outside the role. To add a page: add a PageSpec here (its title is the translation key
`page.<name>.nav`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pie.codes import PARTNER_ROLES, ROLES as ALL_ROLES

MANAGERS = ("admin", "manager")


@dataclass(frozen=True)
class PageSpec:
    name: str                  # page.<name>.nav is its title
    path: str                  # the file under pages/<section>/
    section: str               # the group it belongs to (the flat menu keeps pages in this order)
    icon: str
    roles: tuple[str, ...]     # who sees it
    default_for: tuple[str, ...] = ()   # roles that land on it after login


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "pages/programme/overview.py", "programme", ":material/dashboard:",
             (*MANAGERS, "establishment", "leadership"), default_for=(*MANAGERS, "establishment", "leadership")),
    PageSpec("funnel", "pages/programme/funnel.py", "programme", ":material/filter_alt:",
             (*MANAGERS, "establishment", "leadership")),
    PageSpec("phases", "pages/programme/phases.py", "programme", ":material/stairs:", (*MANAGERS, "establishment")),
    PageSpec("follow_up", "pages/programme/follow_up.py", "programme", ":material/call:", (*MANAGERS, "establishment")),
    PageSpec("regions", "pages/leadership/regions.py", "leadership", ":material/map:",
             (*MANAGERS, "leadership")),
    # leadership sees it aggregated only: no company row (pages/programme/companies.py, Scope.row_level)
    PageSpec("companies", "pages/programme/companies.py", "programme", ":material/storefront:",
             (*MANAGERS, "establishment", "leadership")),
    PageSpec("financing", "pages/financing/financing.py", "partners", ":material/account_balance:",
             (*MANAGERS, "bank"), default_for=("bank",)),
    PageSpec("incubation", "pages/incubation/incubation.py", "partners", ":material/emoji_objects:",
             (*MANAGERS, "incubator"), default_for=("incubator",)),
    # Partners submit their own rows there (DESIGN.md, Roles); the library narrows what they may write.
    PageSpec("import", "pages/admin/import.py", "admin", ":material/upload_file:",
             (*MANAGERS, *PARTNER_ROLES)),
    PageSpec("reporting", "pages/admin/reporting.py", "admin", ":material/event_available:", MANAGERS),
    PageSpec("data_quality", "pages/admin/data_quality.py", "admin", ":material/rule:", MANAGERS),
    PageSpec("users", "pages/admin/users.py", "admin", ":material/manage_accounts:", ("admin",)),
    PageSpec("access_log", "pages/admin/access_log.py", "admin", ":material/policy:", ("admin",)),
    PageSpec("glossary", "pages/reference/glossary.py", "reference", ":material/menu_book:", ALL_ROLES),
    PageSpec("help", "pages/reference/help.py", "reference", ":material/help:", ALL_ROLES),
)


def url_path(page: PageSpec) -> str:
    """The URL path of a page (Streamlit derives it from the file name): /financing."""
    return Path(page.path).stem


def url_paths() -> list[str]:
    """The URL path of every page."""
    return [url_path(page) for page in PAGES]


def pages_for(role: str) -> list[PageSpec]:
    """The pages a role may open, in menu order."""
    return [page for page in PAGES if role in page.roles]


def default_page(role: str) -> PageSpec:
    """Where a role lands after login: its declared default, else its first page."""
    pages = pages_for(role)
    return next((page for page in pages if role in page.default_for), pages[0])
