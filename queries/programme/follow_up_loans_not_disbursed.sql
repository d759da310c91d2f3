-- Approved financing decisions not disbursed (no disbursed_on) more than $days days after the
-- decision, on $as_of (scoped_loans_not_disbursed, the rule of quality/approved_not_disbursed
-- too), with the days since the decision and the project lead (contact details only when
-- $personal_data); one row per decision, longest waiting first.
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
        days_waiting
    from scoped_loans_not_disbursed($academic_year, $region, $establishment, $bank, $incubator, $as_of, $days)
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
