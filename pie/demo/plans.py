"""Business plans: one or two versions per project team."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from pie.codes import PLAN_STATUSES
from pie.demo.draws import between, chance
from pie.demo.frames import Table, code_col, date_col, sql_id
from pie.demo.reference import TODAY

if TYPE_CHECKING:
    from pie.demo.programme import Programme


def business_plans(g: Programme) -> Table:
    """Plans of the project teams: a first version, and a revised one after some rejections."""
    rng, n = g.rng, g.n_proj
    q = g.pr_quality
    has_plan = chance(rng, 0.86, 0.5 * q)
    abandoned_draft = rng.random(n) < 0.04
    small = rng.random(n) < 0.25          # micro-credit sized plans
    sector_factor = np.array([.8, 1.4, 1.2, 1.2, 1.1, 1.3, .7, .9, 1.3, .7, .9])[g.pr_sector]
    amount = np.where(small, rng.lognormal(np.log(22_000), 0.45, n), rng.lognormal(np.log(95_000), 0.5, n)
                      * sector_factor)
    amount = np.where(small, np.clip(amount, 5_000, 50_000), np.clip(amount, 30_000, 300_000))
    amount = np.round(amount / 1000) * 1000
    jobs = np.clip(g.pr_size + rng.poisson(1.0, n) - 1 + (~small), 1, 8).astype(np.int32)

    def version(submit, p_validated):
        status = np.where(submit > TODAY, 0, 1).astype(np.int8)        # draft / submitted
        review = submit + between(rng, 10, 60, n)
        reviewed = (status == 1) & (review <= TODAY)
        validated = chance(rng, p_validated, 0.9 * q)
        status[reviewed] = np.where(validated[reviewed], 2, 3)
        return status, review

    submit1 = g.pr_created + between(rng, 30, 120, n)
    submit1 = np.where(abandoned_draft, TODAY + 1, submit1)
    status1, review1 = version(submit1, 0.68)
    v2 = has_plan & (status1 == 3) & (rng.random(n) < 0.5)
    submit2 = review1 + between(rng, 20, 90, n)
    status2, review2 = version(submit2, 0.80)
    amount2 = np.maximum(np.round(amount * rng.uniform(0.75, 1.0, n) / 1000) * 1000, 5_000)   # revised down

    p1 = np.flatnonzero(has_plan)
    p2 = np.flatnonzero(v2)
    project = np.r_[p1, p2]
    ver = np.r_[np.ones(len(p1), np.int32), np.full(len(p2), 2, np.int32)]
    status = np.r_[status1[p1], status2[p2]]
    submitted = np.r_[submit1[p1], submit2[p2]]
    reviewed = np.r_[review1[p1], review2[p2]]
    requested = np.r_[amount[p1], amount2[p2]]
    order = np.lexsort((ver, project))
    g.bp_project, g.bp_version = project[order], ver[order]
    g.bp_status, g.bp_submitted = status[order], submitted[order]
    g.bp_reviewed, g.bp_requested = reviewed[order], requested[order]
    g.bp_small = small[g.bp_project]
    g.n_bp = len(order)
    frame = pa.table({
        "i": np.arange(1, g.n_bp + 1, dtype=np.int32),
        "pr": (g.bp_project + 1).astype(np.int32),
        "version": g.bp_version,
        "status": code_col(g.bp_status, PLAN_STATUSES),
        "submitted_on": date_col(g.bp_submitted, g.bp_status > 0),
        "reviewed_on": date_col(g.bp_reviewed, g.bp_status > 1),
        "requested_amount_mad": g.bp_requested,
        "planned_jobs": jobs[g.bp_project],
    })
    # projects with a validated plan (for later steps)
    g.pr_validated_on = np.full(n, -1, dtype=np.int32)
    val = g.bp_status == 2
    g.pr_validated_on[g.bp_project[val]] = g.bp_reviewed[val]
    return ("business_plans", frame,
            f"select {sql_id('BP-', 'i', 6)}, {sql_id('PR-', 'pr', 6)}, version, status, submitted_on, reviewed_on, "
            "requested_amount_mad, planned_jobs from demo_frame")
