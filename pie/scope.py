"""Scope: the filters a user chose plus the restrictions of their role.

A Scope becomes the five parameters every query passes to the scope macros
(queries/scope/macros.sql), the only place where data are narrowed, plus the personal-data
permission the macros returning contact details take as a sixth. Role restrictions are
set by `Scope.for_role` from the account, never from a widget or a URL, and `with_filters`
can only narrow: it keeps the role's restriction whatever it is given.

An establishment account's restriction (`home_establishment`) rides the macros' establishment
parameter: its pages read the cohorts of its establishment and everything that follows them
(participants, phases, projects, plans, decisions, stages, companies). An establishment filter
can only narrow it: its own establishment, or another one, which matches no row (NO_ROWS).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pie.codes import PARTNER_ROLES, ROLES

# The establishment parameter of a scope whose filter names another establishment than the
# account's own: it matches no row, since an identifier is never empty (the importer reads an
# empty cell as a missing value, and the macros compare establishment ids with `=`).
NO_ROWS = ""


@dataclass(frozen=True)
class Scope:
    """What is in scope. None means "no filter" for that dimension."""

    academic_year: str | None = None
    region_code: str | None = None
    establishment_id: str | None = None
    # role restrictions (DESIGN.md, Roles)
    bank: str | None = None
    incubator: str | None = None
    home_establishment: str | None = None
    personal_data: bool = True
    # whether row-level tables (one row per company, decision, project) may be shown; leadership
    # sees aggregates only (DESIGN.md, Roles). Read by the figures that return such rows.
    row_level: bool = True

    @classmethod
    def for_role(cls, role: str, scope_code: str | None = None) -> "Scope":
        """The widest scope a role may see."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        if role in PARTNER_ROLES and not scope_code:
            raise ValueError(f"role {role} needs a scope code (establishment_id, bank code or incubator name)")
        return cls(
            bank=scope_code if role == "bank" else None,
            incubator=scope_code if role == "incubator" else None,
            home_establishment=scope_code if role == "establishment" else None,
            personal_data=role != "leadership",
            row_level=role != "leadership",
        )

    def with_filters(self, academic_year: str | None = None, region_code: str | None = None,
                     establishment_id: str | None = None) -> "Scope":
        """This scope narrowed by the user's filters; role restrictions are kept as they are."""
        return dataclasses.replace(self, academic_year=academic_year or None,
                                   region_code=region_code or None,
                                   establishment_id=establishment_id or None)

    def parameters(self) -> dict[str, object]:
        """The named query parameters of this scope."""
        return {
            "academic_year": self.academic_year,
            "region": self.region_code,
            "establishment": self.establishment,
            "bank": self.bank,
            "incubator": self.incubator,
            # read only by the macros that return contact details (scoped_contacts, scoped_project_leads)
            "personal_data": self.personal_data,
        }

    @property
    def establishment(self) -> str | None:
        """The establishment the data are narrowed to: the filter, within the role's own
        establishment (NO_ROWS when the filter names another one)."""
        if self.home_establishment is None:
            return self.establishment_id
        if self.establishment_id in (None, self.home_establishment):
            return self.home_establishment
        return NO_ROWS

    def previous_year(self) -> "Scope | None":
        """The same scope one academic year earlier (None without a year filter)."""
        if not self.academic_year:
            return None
        start = int(self.academic_year[:4]) - 1
        return dataclasses.replace(self, academic_year=f"{start}-{start + 1}")
