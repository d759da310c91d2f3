-- Approved financing decisions not disbursed (no disbursed_on) more than $days days after the
-- decision, on $as_of (the same rule as quality/approved_not_disbursed), with the days since the
-- decision and the project lead (contact details only when $personal_data); one row per
-- decision, longest waiting first.
with
undisbursed as (
    select
        decision_id,
        plan_id,
        project_id,
        bank,
        branch,
        product,
        decided_on,
        amount_approved_mad,
        date_diff('day', decided_on, cast($as_of as date)) as days_waiting
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator)
    where decision = 'approved'
      and disbursed_on is null
      and decided_on < cast($as_of as date) - cast($days as integer)
),

final as (
    select
        un.decision_id,
        un.plan_id,
        un.project_id,
        lp.project_name,
        un.bank,
        un.branch,
        un.product,
        un.decided_on,
        un.days_waiting,
        un.amount_approved_mad,
        lp.* exclude (project_id, project_name)
    from undisbursed as un
    join scoped_listed_projects($academic_year, $region, $establishment, $bank, $incubator, $personal_data,
                                (select list(project_id) from undisbursed)) as lp
      on lp.project_id = un.project_id
    order by un.days_waiting desc, un.decision_id
)

select * from final
