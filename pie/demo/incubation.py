"""Incubation stages and the coaching sessions given to projects."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from pie.codes import COACHING_KINDS, EXIT_REASONS, STAGES
from pie.demo.draws import between, chance, pick, pick_rows
from pie.demo.frames import Table, code_col, date_col, sql_id
from pie.demo.reference import BANKS, INCUBATORS, REGIONS, TECHNOPARK_OF_REGION, TODAY

if TYPE_CHECKING:
    from pie.demo.programme import Programme


def incubation_stages(g: Programme) -> Table:
    """Incubated projects going through the four stages until they leave or reach today."""
    rng, n = g.rng, g.n_proj
    q = g.pr_quality
    validated = g.pr_validated_on >= 0
    submitted = np.zeros(n, dtype=bool)
    submitted[g.bp_project[g.bp_status > 0]] = True
    incubated = np.where(validated, chance(rng, 0.55, 0.4 * q),
                         np.where(submitted, rng.random(n) < 0.12, rng.random(n) < 0.05))
    entered = g.pr_created + between(rng, 10, 90, n)
    incubated &= entered <= TODAY
    if incubated.sum() < 2:                       # tiny demos: MCISE and another need projects
        candidates = np.lexsort((entered, ~validated))
        incubated[candidates[entered[candidates] <= TODAY][:2]] = True
    technopark = np.array([TECHNOPARK_OF_REGION.get(r.code, 1) for r in REGIONS])[g.pr_region]
    incubator = np.where(rng.random(n) < 0.70, 0, np.where(rng.random(n) < 0.5, 1, technopark)).astype(np.int16)
    chosen = np.flatnonzero(incubated)
    if len(chosen) >= 2:            # the demo always shows MCISE and another incubator
        if not (incubator[chosen] == 0).any():
            incubator[chosen[0]] = 0
        if not (incubator[chosen] != 0).any():
            incubator[chosen[-1]] = 1
    has_company = g.pr_company >= 0
    durations = ((30, 90), (90, 240), (90, 240), (180, 540))
    advance_p = (0.75, 0.60, 0.55, 0.0)
    graduate_p = (0.0, 0.40, 0.60, 0.85)
    alive = incubated.copy()
    enter = entered.astype(np.int32)
    rows = []
    g.pr_incubator = np.where(incubated, incubator, -1)
    g.pr_incubation_end = np.full(n, TODAY, dtype=np.int32)
    for s in range(4):                             # a loop over the four stages
        exit_on = enter + between(rng, *durations[s], n)
        advance = chance(rng, advance_p[s], 0.5 * q)
        if s == 2:                                 # post-creation needs a company
            advance &= has_company
            exit_on = np.where(advance, np.maximum(exit_on, g.pr_registered), exit_on)
        still_open = exit_on > TODAY
        graduates = chance(rng, graduate_p[s], 0.5 * q)
        reason = np.where(advance, 0, np.where(graduates, 1, 2)).astype(np.int8)
        idx = np.flatnonzero(alive)
        closed = ~still_open[idx]
        rows.append((idx, np.full(len(idx), s, np.int8), enter[idx], exit_on[idx], closed, reason[idx]))
        ended = alive & ~still_open & ~advance
        g.pr_incubation_end[ended] = exit_on[ended]
        alive = alive & ~still_open & advance
        enter = exit_on
    project = np.concatenate([r[0] for r in rows])
    stage = np.concatenate([r[1] for r in rows])
    order = np.lexsort((stage, project))
    closed = np.concatenate([r[4] for r in rows])[order]
    g.pr_incubated = incubated
    g.pr_incubation_start = np.where(incubated, entered, -1).astype(np.int32)
    frame = pa.table({
        "pr": (project[order] + 1).astype(np.int32),
        "stage": code_col(stage[order], STAGES),
        "incubator": code_col(incubator[project[order]], INCUBATORS),
        "entered_on": date_col(np.concatenate([r[2] for r in rows])[order]),
        "exited_on": date_col(np.concatenate([r[3] for r in rows])[order], closed),
        "exit_reason": code_col(np.concatenate([r[5] for r in rows])[order], EXIT_REASONS, closed),
    })
    return ("incubation_stages", frame,
            f"select {sql_id('PR-', 'pr', 6)}, stage, incubator, entered_on, exited_on, exit_reason from demo_frame")


def coaching_sessions(g: Programme) -> Table:
    """Sessions by the project's incubator, Droit et Devoir, MCISE or its bank."""
    rng, n = g.rng, g.n_proj
    financed = g.pr_financed_on >= 0
    incubated = g.pr_incubated
    coached = incubated | financed
    start = np.where(incubated, g.pr_incubation_start,
                     np.maximum(g.pr_financed_on - 60, g.pr_created)).astype(np.int32)
    end = np.where(incubated, g.pr_incubation_end, np.minimum(g.pr_financed_on + 365, TODAY))
    end = np.maximum(np.minimum(end, TODAY), start)
    months = (end - start) / 30.4
    count = np.where(incubated, np.clip(rng.poisson(0.9 * months + 1), 1, 40), 1 + rng.poisson(1.5, n))
    count = np.where(coached, count, 0).astype(np.int64)
    project = np.repeat(np.arange(n, dtype=np.int32), count)
    k = len(project)
    # who: 0 the project's incubator, 1 Droit et Devoir, 2 MCISE, 3 the project's bank
    inc = incubated[project]
    who_kind = np.where(inc, pick(rng, [.47, .29, .11, .13], k), pick(rng, [0, .2, .2, .6], k))
    kind_of = {0: [.75, 0, 0, .25, 0], 1: [.3, .7, 0, 0, 0], 2: [.45, 0, 0, .4, .15], 3: [0, 0, 1, 0, 0]}
    kind = pick_rows(rng, np.array([kind_of[i] for i in range(4)]), who_kind.astype(np.int64))
    bank = np.maximum(g.pr_bank[project], 0)                   # BOA when no decision
    incubator = np.maximum(g.pr_incubator[project], 0)
    partners = INCUBATORS + ("Droit et Devoir",) + BANKS
    partner = np.select([who_kind == 0, who_kind == 1, who_kind == 2],
                        [incubator, len(INCUBATORS), 0], len(INCUBATORS) + 1 + bank).astype(np.int32)
    held = start[project] + np.floor(rng.random(k) * (end[project] - start[project] + 1)).astype(np.int32)
    hours_range = np.array([[1, 3], [1, 2.5], [1, 2], [2, 6], [6, 8]])[kind]
    hours = np.round(rng.uniform(hours_range[:, 0], hours_range[:, 1]), 1)
    order = np.lexsort((held, project))
    frame = pa.table({
        "i": np.arange(1, k + 1, dtype=np.int32),
        "pr": (project[order] + 1).astype(np.int32),
        "partner": code_col(partner[order], partners),
        "kind": code_col(kind[order], COACHING_KINDS),
        "held_on": date_col(held[order]),
        "hours": hours[order],
    })
    return ("coaching_sessions", frame,
            f"select {sql_id('CS-', 'i', 7)}, {sql_id('PR-', 'pr', 6)}, partner, kind, held_on, hours from demo_frame")
