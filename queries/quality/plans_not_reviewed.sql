-- Plans submitted more than $days days before $as_of and still not reviewed (status
-- `submitted`, no reviewed_on: the same rule as programme/follow_up_plans_to_review); one row
-- per plan, longest waiting first.
with
waiting as (
    select
        bp.plan_id,
        bp.project_id,
        bp.version,
        bp.cohort_id,
        bp.region_code,
        bp.submitted_on,
        $as_of - bp.submitted_on as days_waiting
    from scoped_business_plans($academic_year, $region, $establishment, $bank, $incubator) as bp
    where bp.status = 'submitted'
      and bp.reviewed_on is null
      and bp.submitted_on < $as_of - cast($days as integer)
)

select * from waiting
order by days_waiting desc, plan_id
