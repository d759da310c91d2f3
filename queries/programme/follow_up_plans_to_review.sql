-- Business plans waiting for review for more than $days days on $as_of: status `submitted`, no
-- reviewed_on, submitted_on more than $days days earlier (the same rule as
-- quality/plans_not_reviewed), with the days since submission and the project lead (contact
-- details only when $personal_data); one row per plan, longest waiting first.
with
waiting as (
    select
        plan_id,
        project_id,
        version,
        submitted_on,
        requested_amount_mad,
        date_diff('day', submitted_on, cast($as_of as date)) as days_waiting
    from scoped_business_plans($academic_year, $region, $establishment, $bank, $incubator)
    where status = 'submitted'
      and reviewed_on is null
      and submitted_on < cast($as_of as date) - cast($days as integer)
),

final as (
    select
        wa.plan_id,
        wa.project_id,
        lp.project_name,
        wa.version,
        wa.submitted_on,
        wa.days_waiting,
        wa.requested_amount_mad,
        lp.* exclude (project_id, project_name)
    from waiting as wa
    join scoped_listed_projects($academic_year, $region, $establishment, $bank, $incubator, $personal_data,
                                (select list(project_id) from waiting)) as lp
      on lp.project_id = wa.project_id
    order by wa.days_waiting desc, wa.plan_id
)

select * from final
