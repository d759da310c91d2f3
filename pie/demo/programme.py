"""The generator: one numpy PCG64 stream and the arrays each step leaves for the next ones.

A step is a function `step(g) -> Table` of one of the table modules; it reads the arrays of
the earlier steps from `g` (participants' cohorts, projects' quality…) and stores its own.
The steps run in a fixed order, and every random draw is taken from `g.rng` in that order,
so the same participants and seed give the same data.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from pie.demo import companies, establishments, financing, incubation, participants, phases, plans, projects, targets
from pie.demo.frames import Table


class Programme:
    """Generates the programme table by table; each step uses the arrays of the previous."""

    def __init__(self, participants: int, seed: int):
        self.n_target = participants
        self.rng = np.random.Generator(np.random.PCG64(seed))

    def tables(self) -> Iterator[Table]:
        """The tables in load order (parents first)."""
        yield establishments.establishments(self)     # draws the cohorts too
        yield establishments.cohorts(self)
        yield participants.participants(self)
        yield participants.participant_contacts(self)
        yield phases.phase_progress(self)
        yield projects.projects(self)
        yield projects.project_members(self)
        yield plans.business_plans(self)
        yield financing.financing_decisions(self)
        drawn = companies.companies(self)              # incubation and loans depend on them
        yield incubation.incubation_stages(self)
        yield incubation.coaching_sessions(self)
        yield drawn
        yield financing.loan_followups(self)
        yield companies.company_followups(self)
        yield targets.targets(self)
