"""Phase progress: awareness, fundamentals, immersion."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from pie.codes import PHASE_STATUSES, PHASES
from pie.demo.draws import between, chance
from pie.demo.frames import Table, code_col, date_col, sql_id
from pie.demo.reference import FIRST_YEAR, LAST_YEAR, TODAY

if TYPE_CHECKING:
    from pie.demo.programme import Programme


def phase_progress(g: Programme) -> Table:
    """Awareness → fundamentals → immersion; most drop before immersion.

    Each phase is planned (start, duration, will complete or drop) and then cut at AS_OF:
    a phase not started by then has no row, one under way is in_progress.
    """
    rng, n = g.rng, g.n
    year = g.p_year
    quality = g.est_quality[g.coh_est[g.p_cohort]] + 0.08 * (year - FIRST_YEAR)
    # a few participants of past cohorts stalled: their phase stays in_progress, nobody closed it
    stall_p = np.where(year == LAST_YEAR - 1, 0.03, np.where(year < LAST_YEAR - 1, 0.005, 0.0))
    stalled = rng.random(n) < stall_p
    stall_phase = between(rng, 0, 2, n)
    reach = (0.95, 0.70, 0.45)
    complete = (0.85, 0.70, 0.75)
    gap = ((0, 7), (3, 30), (7, 45))               # days between phases
    duration = ((14, 28), (42, 70), (56, 84))
    full_hours = ((10, 20), (40, 80), (80, 150))
    eligible = np.ones(n, dtype=bool)
    previous_end = g.p_enrolled.copy()
    parts = []
    g.phase_status = []
    g.phase_start, g.phase_end = [], []
    for k in range(3):                              # a loop over the three phases
        has = eligible & chance(rng, reach[k], 0.6 * quality)
        start = previous_end + between(rng, *gap[k], n)
        dur = between(rng, *duration[k], n)
        end = start + dur
        will_complete = chance(rng, complete[k], 0.8 * quality)
        drop_day = start + np.floor(dur * rng.uniform(0.1, 0.9, n)).astype(np.int32)
        has &= start <= TODAY
        status = np.full(n, -1, dtype=np.int8)
        status[has] = 0                                        # in_progress unless…
        status[has & will_complete & (end <= TODAY)] = 1       # completed
        status[has & ~will_complete & (drop_day <= TODAY)] = 2  # dropped
        stall_here = has & stalled & (stall_phase == k)
        status[stall_here] = 0
        hours_full = rng.uniform(*full_hours[k], n)
        done_share = np.where(status == 1, 1.0, np.where(
            status == 2, (drop_day - start) / dur, np.clip((TODAY - start) / dur, 0.05, 0.95)))
        hours = np.round(hours_full * done_share * 2) / 2
        rows = np.flatnonzero(has)
        parts.append((rows, np.full(len(rows), k, np.int8), status[rows], start[rows], end[rows], hours[rows]))
        g.phase_status.append(status)
        g.phase_start.append(start)
        g.phase_end.append(end)
        eligible = status == 1
        previous_end = end
    who = np.concatenate([p[0] for p in parts])
    order = np.lexsort((np.concatenate([p[1] for p in parts]), who))
    who = who[order]
    status = np.concatenate([p[2] for p in parts])[order]
    completed = status == 1
    frame = pa.table({
        "i": (who + 1).astype(np.int32),
        "phase": code_col(np.concatenate([p[1] for p in parts])[order], PHASES),
        "status": code_col(status, PHASE_STATUSES),
        "started_on": date_col(np.concatenate([p[3] for p in parts])[order]),
        "completed_on": date_col(np.concatenate([p[4] for p in parts])[order], completed),
        "hours_attended": np.concatenate([p[5] for p in parts])[order],
    })
    return ("phase_progress", frame,
            f"select {sql_id('P-', 'i', 7)}, phase, status, started_on, completed_on, hours_attended "
            "from demo_frame")
