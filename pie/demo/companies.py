"""Companies created from projects and their yearly surveys.

Companies are drawn before incubation (post-creation needs a company, loans follow it) but
written after the coaching sessions.
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from pie.codes import COMPANY_STATUSES, LEGAL_FORMS
from pie.demo.draws import between, chance, group_starts, june30, logit, pick, ranks_within, years_of
from pie.demo.frames import Table, code_col, date_col, sql_id
from pie.demo.reference import AS_OF, TODAY, S, day

if TYPE_CHECKING:
    from pie.demo.programme import Programme


def companies(g: Programme) -> Table:
    """Companies created by projects (financed ones most often), and when each is found closed."""
    rng, n = g.rng, g.n_proj
    q = g.pr_quality
    financed = g.pr_financed_on >= 0
    validated = g.pr_validated_on >= 0
    create = np.where(financed, chance(rng, 0.80, 0.5 * q),
                      np.where(validated, rng.random(n) < 0.10, rng.random(n) < 0.02))
    registered = np.where(financed, g.pr_financed_on + between(rng, 15, 120, n),
                          np.where(validated, g.pr_validated_on + between(rng, 30, 240, n),
                                   g.pr_created + between(rng, 90, 400, n)))
    create &= registered <= TODAY
    if n and not (create & (registered <= day(date(AS_OF.year, 1, 1)))).any():
        create[np.argmin(registered)] = True        # tiny demos: one company with a survey
    project = np.flatnonzero(create)
    k = len(project)
    sector = g.pr_sector[project]
    coop_sector = np.isin(sector, [S["agriculture"], S["crafts"]])
    form = np.where(coop_sector, pick(rng, [.35, .05, .10, .15, .33, .02], k),
                    pick(rng, [.47, .08, .16, .24, .02, .03], k))
    size = g.pr_size[project]
    jobs = np.clip(size + rng.poisson(0.6, k) - (form == 0) * rng.integers(0, 2, k), 1, 6).astype(np.int32)
    g.co_project, g.co_registered, g.co_form, g.co_jobs = project, registered[project], form, jobs
    g.pr_company = np.full(n, -1, dtype=np.int32)
    g.pr_company[project] = np.arange(k, dtype=np.int32)
    g.pr_registered = np.where(create, registered, -1).astype(np.int32)

    # yearly survey on 30 June; a few companies close (the survey then says so)
    reg_plus = g.co_registered + 180
    years = years_of(reg_plus)
    june_30 = june30(years)
    first_year = np.where(june_30 >= reg_plus, years, years + 1)
    last_year = AS_OF.year if june30(np.array([AS_OF.year]))[0] <= TODAY else AS_OF.year - 1
    n_surveys = np.maximum(last_year - first_year + 1, 0)
    hazard = 1 / (1 + np.exp(-(logit(0.08) - 0.6 * q[project])))
    close_at = rng.geometric(hazard)                 # the survey at which it is found closed
    closed = close_at <= n_surveys
    g.co_n_surveys = np.where(closed, close_at, n_surveys).astype(np.int32)
    g.co_first_survey_year = first_year.astype(np.int32)
    g.co_closed = closed
    g.n_co = k
    frame = pa.table({
        "i": np.arange(1, k + 1, dtype=np.int32),
        "pr": (project + 1).astype(np.int32),
        "legal_form": code_col(form, LEGAL_FORMS),
        "registered_on": date_col(g.co_registered),
        "ice": rng.integers(0, 10**13, k).astype(np.int64),
        "jobs_created": jobs,
        "status": code_col(closed.astype(np.int8), COMPANY_STATUSES),
    })
    return ("companies", frame,
            f"select {sql_id('CO-', 'i', 6)}, {sql_id('PR-', 'pr', 6)}, legal_form, registered_on, "
            "'00' || lpad(cast(ice as varchar), 13, '0'), jobs_created, status from demo_frame")


def company_followups(g: Programme) -> Table:
    """Yearly 30 June survey of each company: employees, revenue, closure."""
    rng = g.rng
    n_rows = g.co_n_surveys.astype(np.int64)
    company = np.repeat(np.arange(g.n_co), n_rows)
    k = ranks_within(company) if len(company) else np.zeros(0, np.int64)
    as_of = june30(g.co_first_survey_year[company] + k)
    size = len(company)
    # headcount moves a little each year; revenue follows headcount around a company's own level
    step = rng.choice(np.array([-1, 0, 0, 0, 0, 1, 1]), size)
    starts = group_starts(company)
    cum = np.cumsum(step)
    base = np.repeat(np.r_[0, cum][starts], n_rows[n_rows > 0]) if size else np.zeros(0, np.int64)
    employees = np.clip(g.co_jobs[company] + (cum - base), 1, 12)
    big_form = np.isin(g.co_form, [LEGAL_FORMS.index("sarl"), LEGAL_FORMS.index("sarl_au")])
    per_job = np.where(big_form, rng.lognormal(np.log(120_000), 0.45, g.n_co),
                       rng.lognormal(np.log(60_000), 0.45, g.n_co))
    ramp = np.minimum(1.0, 0.6 + 0.2 * k)                         # first year is a partial one
    revenue = np.round(per_job[company] * employees * ramp * rng.uniform(0.85, 1.15, size) / 100) * 100
    last = np.r_[company[1:] != company[:-1], True] if size else np.zeros(0, bool)
    closed = last & g.co_closed[company]
    employees = np.where(closed, 0, employees)
    revenue = np.where(closed, np.round(revenue * rng.uniform(0.1, 0.5, size) / 100) * 100, revenue)
    frame = pa.table({
        "co": (company + 1).astype(np.int32),
        "as_of": date_col(as_of),
        "employees": employees.astype(np.int32),
        "revenue_mad": revenue,
        "status": code_col(closed.astype(np.int8), COMPANY_STATUSES),
    })
    return ("company_followups", frame,
            f"select {sql_id('CO-', 'co', 6)}, as_of, employees, revenue_mad, status from demo_frame")
