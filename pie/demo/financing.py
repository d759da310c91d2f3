"""Financing decisions of the partner banks and their loans' quarterly follow-ups."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from pie.codes import DECISIONS, LOAN_STATUSES, PRODUCTS
from pie.demo.draws import between, chance, group_starts, pick, pick_rows, quarter_ends, ranks_within
from pie.demo.frames import Table, code_col, date_col, money_col, sql_id
from pie.demo.reference import (AS_OF, BANK_P, BANKS, BRANCH_QUARTERS, DEFAULT_QUARTERS, FIRST_YEAR,
                                PRODUCT_P_LARGE, PRODUCT_P_SMALL, REJECTION_P, REJECTION_REASONS, TODAY, S)

if TYPE_CHECKING:
    from pie.demo.programme import Programme


def financing_decisions(g: Programme) -> Table:
    """Decisions of the partner banks on the latest submitted or validated plans, and disbursements."""
    rng = g.rng
    # the latest version of each project's plan is the one banks look at
    last = np.r_[g.bp_project[1:] != g.bp_project[:-1], True] if g.n_bp else np.zeros(0, bool)
    plan = np.flatnonzero(last & ((g.bp_status == 1) | (g.bp_status == 2)))
    validated = g.bp_status[plan] == 2
    wants = np.where(validated, rng.random(len(plan)) < 0.92, rng.random(len(plan)) < 0.35)
    plan, validated = plan[wants], validated[wants]
    k = len(plan)
    project = g.bp_project[plan]
    q = g.pr_quality[project]
    agri = g.pr_sector[project] == S["agriculture"]
    kind = np.where(g.bp_small[plan], 0, 1) + 2 * agri
    bank = pick_rows(rng, BANK_P, kind)
    decided = np.maximum(g.bp_reviewed[plan], g.bp_submitted[plan]) + between(rng, 10, 90, k)
    decided = np.where(validated, decided, TODAY + 1)            # plans under review: pending
    approved = validated & chance(rng, 0.66, 0.8 * q)
    decision = np.where(decided > TODAY, 0, np.where(approved, 1, 2)).astype(np.int8)
    # tiny demos: every table must hold rows, so if no approval came early enough for a loan
    # report, the earliest rejection becomes an approval
    last_report = quarter_ends(FIRST_YEAR, AS_OF.year)[-1]
    early = decided <= last_report
    if not (early & (decision == 1)).any() and (early & (decision == 2)).any():
        rejected = np.flatnonzero(decision == 2)
        decision[rejected[np.argmin(decided[rejected])]] = 1

    # occasionally, after a rejection, the team tries another bank
    again = (decision == 2) & (rng.random(k) < 0.15)
    r = np.flatnonzero(again)
    bank2 = np.where(bank[r] == 0, 1, 0).astype(np.int16)        # BOA → CAM, others → BOA
    decided2 = decided[r] + between(rng, 20, 90, len(r))
    approved2 = chance(rng, 0.55, 0.8 * q[r])
    decision2 = np.where(decided2 > TODAY, 0, np.where(approved2, 1, 2)).astype(np.int8)

    d_plan = np.r_[plan, plan[r]]
    d_seq = np.r_[np.zeros(k, np.int8), np.ones(len(r), np.int8)]
    d_bank = np.r_[bank, bank2]
    d_decided = np.r_[decided, decided2]
    d_decision = np.r_[decision, decision2]
    order = np.lexsort((d_seq, d_plan))
    d_plan, d_bank, d_decided, d_decision = d_plan[order], d_bank[order], d_decided[order], d_decision[order]
    n = len(d_plan)
    # the demo always shows both partner banks of the demo accounts (BOA, CAM)
    if n >= 2:
        if not (d_bank == 0).any():
            d_bank[0] = 0
        if not (d_bank == 1).any():
            d_bank[n - 1] = 1
    d_project = g.bp_project[d_plan]
    q = g.pr_quality[d_project]
    small = g.bp_small[d_plan]
    requested = g.bp_requested[d_plan]
    product = np.where(small, pick_rows(rng, PRODUCT_P_SMALL, d_bank), pick_rows(rng, PRODUCT_P_LARGE, d_bank))
    is_approved = d_decision == 1
    share = np.where(rng.random(n) < 0.6, 1.0, rng.uniform(0.6, 0.95, n))
    approved_amount = np.maximum(np.floor(requested * share / 500) * 500, 500)
    disbursed_on = d_decided + between(rng, 10, 75, n)
    disbursed = is_approved & (rng.random(n) < 0.88) & (disbursed_on <= TODAY)
    if is_approved.any() and not (disbursed & (disbursed_on <= last_report)).any():
        first = np.flatnonzero(is_approved)[np.argmin(d_decided[is_approved])]     # tiny demos
        disbursed_on[first] = max(min(int(d_decided[first]) + 10, int(last_report)), int(d_decided[first]))
        disbursed[first] = True
    tranche = np.where(rng.random(n) < 0.8, 1.0, rng.uniform(0.5, 0.9, n))
    disbursed_amount = np.clip(np.round(approved_amount * tranche / 500) * 500, 500, approved_amount)
    reason = pick(rng, REJECTION_P, n)

    # branch: an agency of that bank in the establishment's city
    city = np.array(g.est_city_names, dtype=object)[g.pr_est[d_project]]
    quarter_labels, quarter_code = _branch_quarters(city, rng)
    g.fd_project, g.fd_product = d_project, product
    g.fd_disbursed, g.fd_disbursed_on = disbursed, disbursed_on
    g.fd_approved_amount, g.fd_disbursed_amount = approved_amount, disbursed_amount
    decided_valid = d_decision > 0
    frame = pa.table({
        "i": np.arange(1, n + 1, dtype=np.int32),
        "bp": (d_plan + 1).astype(np.int32),
        "bank": code_col(d_bank, BANKS),
        "city": pa.array(list(city), pa.string()),
        "quarter": code_col(quarter_code, quarter_labels),
        "product": code_col(product, PRODUCTS),
        "decision": code_col(d_decision, DECISIONS),
        "decided_on": date_col(d_decided, decided_valid),
        "amount_approved_mad": money_col(approved_amount, is_approved),
        "disbursed_on": date_col(disbursed_on, disbursed),
        "amount_disbursed_mad": money_col(disbursed_amount, disbursed),
        "rejection_reason": code_col(reason, REJECTION_REASONS, d_decision == 2),
    })
    # project-level facts for the next steps
    g.pr_financed_on = np.full(g.n_proj, -1, dtype=np.int32)    # first approval
    g.pr_bank = np.full(g.n_proj, -1, dtype=np.int16)           # bank of the latest decision
    g.pr_bank[d_project] = d_bank
    appr = np.flatnonzero(is_approved)
    money_day = np.where(disbursed, disbursed_on, d_decided)
    first_money = np.full(g.n_proj, np.iinfo(np.int32).max, dtype=np.int64)
    np.minimum.at(first_money, d_project[appr], money_day[appr])
    g.pr_financed_on = np.where(first_money < np.iinfo(np.int32).max, first_money, -1).astype(np.int32)
    g.pr_bank[d_project[appr]] = d_bank[appr]
    return ("financing_decisions", frame,
            f"select {sql_id('FD-', 'i', 6)}, {sql_id('BP-', 'bp', 6)}, bank, bank || ' ' || city || ' ' || quarter, "
            "product, decision, decided_on, amount_approved_mad, disbursed_on, amount_disbursed_mad, "
            "rejection_reason from demo_frame")


def _branch_quarters(city: np.ndarray, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """An agency quarter for each decision's city: the labels and each row's index into them."""
    labels = sorted({q for qs in BRANCH_QUARTERS.values() for q in qs} | set(DEFAULT_QUARTERS))
    code = np.zeros(len(city), dtype=np.int32)
    u = rng.random(len(city))
    for name in sorted(set(city)):                 # a loop over cities (≤ 300), not rows
        rows = city == name
        options = BRANCH_QUARTERS.get(name, DEFAULT_QUARTERS)
        pick = np.minimum((u[rows] * len(options)).astype(int), len(options) - 1)
        code[rows] = np.array([labels.index(o) for o in options])[pick]
    return labels, code


def loan_followups(g: Programme) -> Table:
    """Quarterly reports on each disbursed loan until it is repaid or written off."""
    rng = g.rng
    loans = np.flatnonzero(g.fd_disbursed)
    m = len(loans)
    qends = quarter_ends(FIRST_YEAR, AS_OF.year)
    d0 = g.fd_disbursed_on[loans]
    first = np.searchsorted(qends, d0, side="left")         # first quarter end ≥ disbursement
    n_rows = (len(qends) - first).astype(np.int64)
    product = g.fd_product[loans]
    term_range = np.array([[20, 28], [4, 8], [12, 20], [12, 24], [8, 16]])[product]
    grace_range = np.array([[2, 6], [0, 1], [4, 8], [1, 3], [1, 2]])[product]
    term = rng.integers(term_range[:, 0], term_range[:, 1] + 1)
    grace = rng.integers(grace_range[:, 0], grace_range[:, 1] + 1)
    project = g.fd_project[loans]
    company_closed = np.zeros(m, dtype=bool)
    has_co = g.pr_company[project] >= 0
    company_closed[has_co] = g.co_closed[g.pr_company[project[has_co]]]
    q = g.pr_quality[project]
    u = rng.random(m)
    p_default = np.where(company_closed, 0.35, 0.025 / (1 + np.exp(q)) * 2)
    p_trouble = np.where(company_closed, 0.25, 0.05)
    risk = np.where(u < p_default, 2, np.where(u < p_default + p_trouble, 1, 0))   # good, troubled, default
    onset = np.floor(rng.random(m) * np.maximum(n_rows, 1)).astype(np.int64)
    recover_after = np.where(rng.random(m) < 0.5, rng.integers(1, 4, m), 10_000)

    loan = np.repeat(np.arange(m), n_rows)
    k = ranks_within(loan) if len(loan) else np.zeros(0, np.int64)
    as_of = qends[first[loan] + k]
    amount = g.fd_disbursed_amount[loans][loan]
    r, o = risk[loan], onset[loan]
    behind = np.clip(k - o + 1, 0, None)                     # quarters since trouble began
    in_trouble = (r > 0) & (behind > 0) & ((r == 2) | (behind <= recover_after[loan]))
    # repayments stop while behind (for good, when in default)
    frozen = np.where(r == 2, behind, np.where(r == 1, np.minimum(behind, recover_after[loan]), 0))
    paid = np.clip((k + 1 - frozen - grace[loan]) / term[loan], 0, 1)
    outstanding = np.round(amount * (1 - paid), 2)
    rows = len(loan)
    dpd = np.where(in_trouble, np.where(r == 2, 90 * behind - rng.integers(0, 60, rows),
                                        30 * behind + rng.integers(1, 30, rows)), 0)
    hiccup = (dpd == 0) & (outstanding > 0) & (rng.random(rows) < 0.04)
    dpd = np.where(hiccup, rng.integers(1, 30, rows), dpd)
    repaid = outstanding <= 0
    written_off = (r == 2) & (dpd >= 360) & ~repaid
    status = np.where(repaid, 2, np.where(written_off, 3, np.where(dpd > 0, 1, 0))).astype(np.int8)
    dpd = np.where(repaid, 0, dpd)
    outstanding = np.where(repaid, 0.0, outstanding)
    # nothing is reported after the loan is repaid or written off
    terminal = (status >= 2).astype(np.int64)
    cum = np.cumsum(terminal)
    starts = group_starts(loan)
    before = np.r_[0, cum][starts] if len(loan) else np.zeros(0, np.int64)
    prior = cum - terminal - np.repeat(before, n_rows[n_rows > 0])
    keep = prior == 0
    frame = pa.table({
        "fd": (loans[loan[keep]] + 1).astype(np.int32),
        "as_of": date_col(as_of[keep]),
        "outstanding_mad": outstanding[keep],
        "days_past_due": dpd[keep].astype(np.int32),
        "status": code_col(status[keep], LOAN_STATUSES),
    })
    return ("loan_followups", frame,
            f"select {sql_id('FD-', 'fd', 6)}, as_of, outstanding_mad, days_past_due, status from demo_frame")
