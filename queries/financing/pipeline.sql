-- The financing pipeline: one row per step (submitted, validated, decided, approved,
-- disbursed, in that order), counting projects; amounts are requested for the first three
-- steps (the latest plan of each project at that step), approved and disbursed for the last two.
with
plans_in_scope as (
    select plan_id, project_id, version, status, requested_amount_mad
    from scoped_business_plans($academic_year, $region, $establishment, $bank, $incubator)
),

decisions_in_scope as (
    select plan_id, project_id, decision, amount_approved_mad, disbursed_on, amount_disbursed_mad
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator)
),

latest_submitted as (
    select project_id, requested_amount_mad
    from plans_in_scope
    where status in ('submitted', 'validated', 'rejected')
    qualify row_number() over (partition by project_id order by version desc) = 1
),

latest_validated as (
    select project_id, requested_amount_mad
    from plans_in_scope
    where status = 'validated'
    qualify row_number() over (partition by project_id order by version desc) = 1
),

latest_decided as (
    select pl.project_id, pl.requested_amount_mad
    from plans_in_scope as pl
    where pl.plan_id in (
        select plan_id from decisions_in_scope where decision in ('approved', 'rejected'))
    qualify row_number() over (partition by pl.project_id order by pl.version desc) = 1
),

steps as (
    select 1 as step_order, 'submitted' as step, count(*) as n_projects,
           coalesce(sum(requested_amount_mad), 0) as amount_mad, 'requested' as amount_kind
    from latest_submitted
    union all
    select 2, 'validated', count(*), coalesce(sum(requested_amount_mad), 0), 'requested'
    from latest_validated
    union all
    select 3, 'decided', count(*), coalesce(sum(requested_amount_mad), 0), 'requested'
    from latest_decided
    union all
    select 4, 'approved', count(distinct project_id) filter (where decision = 'approved'),
           coalesce(sum(amount_approved_mad) filter (where decision = 'approved'), 0), 'approved'
    from decisions_in_scope
    union all
    select 5, 'disbursed', count(distinct project_id) filter (where disbursed_on is not null),
           coalesce(sum(amount_disbursed_mad), 0), 'disbursed'
    from decisions_in_scope
),

final as (
    select step_order, step, n_projects, amount_mad, amount_kind
    from steps
)

select * from final
order by step_order
