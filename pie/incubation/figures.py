"""The figures of the Incubation page: stages now, flows between stages, time in stage and
coaching.

No Streamlit here: each figure is `function(source, scope, ...) -> DataFrame`, where `source` is
a `pie.db.Reader` or a DuckDB connection and `scope` a `pie.scope.Scope` (its role restriction
included); each runs one named query of queries/incubation/. Pages ask for them through
`pie.ui.data.ask(figure, scope, ...)`.
"""
from __future__ import annotations

import pandas as pd

from pie import codes, queries
from pie.queries import Source
from pie.scope import Scope


# The incubation stages in order, and how a project leaves its last one (incubation/flows).
STAGES = codes.STAGES
STAGE_EXITS = ("graduated", "abandoned", "in_progress", "next_missing", "exited")


def incubators(source: Source, scope: Scope) -> pd.DataFrame:
    """The incubators with a project in scope."""
    return queries.run(source, "incubation/incubators", scope)


def stages_now(source: Source, scope: Scope) -> pd.DataFrame:
    """Projects per stage they are in now, or how they left."""
    return queries.run(source, "incubation/stages_now", scope)


def flows(source: Source, scope: Scope) -> pd.DataFrame:
    """Projects moving from each stage to the next one or out."""
    return queries.run(source, "incubation/flows", scope)


def time_in_stage(source: Source, scope: Scope) -> pd.DataFrame:
    """Days spent in each stage: median and quartiles."""
    return queries.run(source, "incubation/time_in_stage", scope)


def coaching(source: Source, scope: Scope) -> pd.DataFrame:
    """Coaching sessions and hours per kind."""
    return queries.run(source, "incubation/coaching", scope)


def projects(source: Source, scope: Scope, focus_stage: str | None = None) -> pd.DataFrame:
    """Incubated projects with their stage now (narrowed to `focus_stage`)."""
    return queries.run(source, "incubation/projects", scope, focus_stage=focus_stage)


def sessions(source: Source, scope: Scope, focus_partner: str | None = None) -> pd.DataFrame:
    """Coaching sessions (narrowed to `focus_partner`)."""
    return queries.run(source, "incubation/sessions", scope, focus_partner=focus_partner)


def stage_counts(stages_now: pd.DataFrame) -> dict[str, int]:
    """Projects in a stage now, graduated and abandoned, from `stages_now`."""
    counts = dict(zip(stages_now["status_now"], stages_now["n_projects"].astype(int)))
    return {
        "in_stage": sum(counts.get(stage, 0) for stage in STAGES),
        "graduated": counts.get("graduated", 0),
        "abandoned": counts.get("abandoned", 0),
    }
