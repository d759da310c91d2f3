-- Validated business plans with no bank decision yet (no `approved` or `rejected` decision;
-- banks with a `pending` request are listed), with the days since validation (reviewed_on) on
-- $as_of and the project lead (contact details only when $personal_data); one row per plan,
-- longest waiting first.
with
decisions as (
    select plan_id, bank, decision
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator)
),

undecided as (
    select
        bp.plan_id,
        bp.project_id,
        bp.version,
        bp.reviewed_on,
        bp.requested_amount_mad,
        date_diff('day', bp.reviewed_on, cast($as_of as date)) as days_waiting
    from scoped_business_plans($academic_year, $region, $establishment, $bank, $incubator) as bp
    where bp.status = 'validated'
      and bp.plan_id not in (
          select plan_id from decisions where decision in ('approved', 'rejected'))
),

pending as (
    select plan_id, string_agg(distinct bank, ', ' order by bank) as pending_banks
    from decisions
    where decision = 'pending'
    group by plan_id
),

final as (
    select
        ud.plan_id,
        ud.project_id,
        lp.project_name,
        ud.version,
        ud.reviewed_on,
        ud.days_waiting,
        ud.requested_amount_mad,
        pe.pending_banks,
        lp.* exclude (project_id, project_name)
    from undecided as ud
    join scoped_listed_projects($academic_year, $region, $establishment, $bank, $incubator, $personal_data,
                                (select list(project_id) from undecided)) as lp
      on lp.project_id = ud.project_id
    left join pending as pe on pe.plan_id = ud.plan_id
    order by ud.days_waiting desc, ud.plan_id
)

select * from final
