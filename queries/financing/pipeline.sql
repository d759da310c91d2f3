-- The financing pipeline: one row per step (submitted, validated, decided, approved,
-- disbursed, in that order), counting projects (the amounts are financing/amounts, each named
-- once).
with
plans_in_scope as (
    select plan_id, project_id, status
    from scoped_business_plans($academic_year, $region, $establishment, $bank, $incubator)
),

decisions_in_scope as (
    select plan_id, project_id, decision, disbursed_on
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator)
),

steps as (
    select 1 as step_order, 'submitted' as step, count(distinct project_id) as n_projects
    from plans_in_scope
    where status in ('submitted', 'validated', 'rejected')
    union all
    select 2, 'validated', count(distinct project_id)
    from plans_in_scope
    where status = 'validated'
    union all
    select 3, 'decided', count(distinct project_id)
    from plans_in_scope
    where plan_id in (select plan_id from decisions_in_scope where decision in ('approved', 'rejected'))
    union all
    select 4, 'approved', count(distinct project_id) filter (where decision = 'approved')
    from decisions_in_scope
    union all
    select 5, 'disbursed', count(distinct project_id) filter (where disbursed_on is not null)
    from decisions_in_scope
),

final as (
    select step_order, step, n_projects
    from steps
)

select * from final
order by step_order
