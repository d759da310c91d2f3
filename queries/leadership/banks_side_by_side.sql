-- The partner banks side by side for a scope (leadership and managers: aggregates, no client
-- row): per bank, decisions by outcome, approval rate, median days from the plan's submission
-- to the decision, projects financed, amounts approved and disbursed, approved loans, their
-- outstanding and PAR30 at each loan's latest follow-up (the METRICS.md macros, as kpis), then
-- one row for every bank together (is_total, bank null) whose figures are the scope's kpis.
-- One row per bank with a decision in scope, most decisions first, then the total row (none
-- when nothing is in scope).
with
decisions_in_scope as (
    select decision_id, bank, project_id, decision, amount_approved_mad, amount_disbursed_mad, days_to_decision
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator)
),

latest_followups as (
    select decision_id, outstanding_mad, days_past_due
    from scoped_latest_loan_followups($academic_year, $region, $establishment, $bank, $incubator, null)
),

per_bank as (
    select
        grouping(fd.bank) = 1 as is_total,
        fd.bank,
        count(*) as n_decisions,
        count(*) filter (where fd.decision = 'approved') as n_approved,
        count(*) filter (where fd.decision = 'rejected') as n_rejected,
        count(*) filter (where fd.decision = 'pending') as n_pending,
        approval_rate_of(fd.decision) as approval_rate,
        median_days_to_decision_of(fd.days_to_decision, fd.decision) as median_days_to_decision,
        count(distinct fd.project_id) filter (where fd.decision = 'approved') as projects_financed,
        coalesce(sum(fd.amount_approved_mad) filter (where fd.decision = 'approved'), 0) as amount_approved_mad,
        coalesce(sum(fd.amount_disbursed_mad), 0) as amount_disbursed_mad,
        count(lf.decision_id) as n_loans_reported,
        coalesce(sum(lf.outstanding_mad), 0) as outstanding_mad,
        coalesce(sum(lf.outstanding_mad) filter (where lf.days_past_due > 30), 0) as at_risk_mad,
        portfolio_at_risk_30_of(lf.outstanding_mad, lf.days_past_due) as portfolio_at_risk_30
    from decisions_in_scope as fd
    left join latest_followups as lf on lf.decision_id = fd.decision_id
    group by grouping sets ((fd.bank), ())
),

final as (
    select *
    from per_bank
    where n_decisions > 0
)

select * from final
order by is_total, n_decisions desc, bank
