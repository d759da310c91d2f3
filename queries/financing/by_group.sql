-- Decisions in scope per group of $breakdown (all, bank, branch, product or region): decisions
-- by outcome, approval rate, amounts asked in the files sent to banks (each decision's plan's
-- requested_amount_mad, pending included: financing/amounts' asked_in_files_mad), approved and disbursed,
-- median days from submission to decision; one row per group (group_key null = not given).
with
decisions_in_scope as (
    select
        decision_group_key($breakdown, fd.bank, fd.branch, fd.product, fd.region_code) as group_key,
        fd.project_id,
        fd.decision,
        fd.requested_amount_mad,
        fd.amount_approved_mad,
        fd.amount_disbursed_mad,
        fd.days_to_decision
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator) as fd
),

per_group as (
    select
        group_key,
        count(*) as n_decisions,
        count(*) filter (where decision = 'approved') as n_approved,
        count(*) filter (where decision = 'rejected') as n_rejected,
        count(*) filter (where decision = 'pending') as n_pending,
        approval_rate_of(decision) as approval_rate,
        count(distinct project_id) filter (where decision = 'approved') as n_projects_financed,
        coalesce(sum(requested_amount_mad), 0) as asked_in_files_mad,
        coalesce(sum(amount_approved_mad) filter (where decision = 'approved'), 0) as approved_mad,
        coalesce(sum(amount_disbursed_mad), 0) as disbursed_mad,
        median_days_to_decision_of(days_to_decision, decision) as median_days_to_decision
    from decisions_in_scope
    group by group_key
),

final as (
    select pg.*, rn.region_name_fr, rn.region_name_ar
    from per_group as pg
    left join region_group_names($breakdown) as rn on rn.group_key = pg.group_key
)

select * from final
order by n_decisions desc, group_key
