"""Projects and their teams (project_members)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from pie.codes import MEMBER_ROLES, SECTORS
from pie.demo.draws import between, group_starts, pick
from pie.demo.frames import Table, code_col, date_col, sql_id
from pie.demo.reference import PROJECT_NAMES, TODAY

if TYPE_CHECKING:
    from pie.demo.programme import Programme


def projects(g: Programme) -> Table:
    """Teams of 1–5 among the participants who reached the immersion studio, one project each."""
    rng = g.rng
    im_status, im_start = g.phase_status[2], g.phase_start[2]
    joins = (im_status >= 0) & (rng.random(g.n) < np.where(im_status == 2, 0.6, 0.95))
    people = np.flatnonzero(joins)
    order = np.lexsort((rng.random(len(people)), g.p_cohort[people]))
    members = people[order]
    m = len(members)
    cohort = g.p_cohort[members]
    # teams of 1–5 (mostly 2–4), never across cohorts
    sizes = pick(rng, [.08, .27, .35, .22, .08], m) + 1
    ends = np.cumsum(sizes)
    boundary = np.zeros(m, dtype=bool)
    boundary[ends[ends < m]] = True
    if m:
        boundary[0] = True
        boundary[1:] |= cohort[1:] != cohort[:-1]
    team = (np.cumsum(boundary) - 1).astype(np.int32)
    g.pm_members, g.pm_team, g.pm_lead = members, team, boundary
    starts = np.flatnonzero(boundary)
    n_proj = len(starts)
    g.n_proj = n_proj
    g.pr_cohort = cohort[starts] if m else np.zeros(0, np.int32)
    g.pr_size = np.diff(np.r_[starts, m]).astype(np.int32)
    latest_start = np.maximum.reduceat(im_start[members], starts) if m else np.zeros(0, np.int32)
    g.pr_created = np.minimum(latest_start + between(rng, 5, 21, n_proj), TODAY).astype(np.int32)
    g.pr_region = g.coh_region[g.pr_cohort]
    g.pr_year = g.coh_year[g.pr_cohort]
    g.pr_est = g.coh_est[g.pr_cohort]

    # the project's sector is its team's most common sector (the lead's on a tie)
    sector = g.p_sector[members].astype(np.int64)
    lead_sector = sector[starts] if m else np.zeros(0, np.int64)
    key = team.astype(np.int64) * 16 + sector
    uniq, count = np.unique(key, return_counts=True)
    t, s = uniq // 16, uniq % 16
    score = count * 2 + (s == lead_sector[t])
    best = np.lexsort((-score, t))
    first = group_starts(t[best])
    g.pr_sector = s[best][first].astype(np.int16)
    # a latent "quality" drives the whole later path of a project (plan, loan, company)
    g.pr_quality = rng.normal(0, 1, n_proj) + 0.5 * g.est_quality[g.pr_est]

    offsets = np.r_[0, np.cumsum([len(PROJECT_NAMES[x]) for x in SECTORS])[:-1]]
    counts = np.array([len(PROJECT_NAMES[x]) for x in SECTORS])
    name_idx = offsets[g.pr_sector] + np.floor(rng.random(n_proj) * counts[g.pr_sector]).astype(np.int32)
    with_place = rng.random(n_proj) < 0.35
    names = [name for x in SECTORS for name in PROJECT_NAMES[x]]
    frame = pa.table({
        "i": np.arange(1, n_proj + 1, dtype=np.int32),
        "c": (g.pr_cohort + 1).astype(np.int32),
        "idea": code_col(name_idx, names),
        "city": code_col(g.pr_est, g.est_city_names),
        "with_place": with_place,
        "sector": code_col(g.pr_sector, SECTORS),
        "created_on": date_col(g.pr_created),
    })
    name = "case when with_place then idea || ' à ' || city else idea end"     # "… à Agadir" for some
    return ("projects", frame,
            f"select {sql_id('PR-', 'i', 6)}, {sql_id('C-', 'c', 6)}, {name}, sector, created_on from demo_frame")


def project_members(g: Programme) -> Table:
    """Each team's members; the first of a team is its lead."""
    order = np.lexsort((g.pm_members, g.pm_team))
    frame = pa.table({
        "pr": (g.pm_team[order] + 1).astype(np.int32),
        "p": (g.pm_members[order] + 1).astype(np.int32),
        "role": code_col(np.where(g.pm_lead, 0, 1).astype(np.int8)[order], MEMBER_ROLES),
    })
    return ("project_members", frame,
            f"select {sql_id('PR-', 'pr', 6)}, {sql_id('P-', 'p', 7)}, role from demo_frame")
