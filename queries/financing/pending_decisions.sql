-- The decisions still pending in scope (a bank: its own), oldest first: bank, branch, product,
-- the plan, its submission date and the whole days waited since, on $as_of, the amount
-- requested, the project and its lead (lead_id; lead_name, lead_phone, lead_email only when
-- $personal_data, through scoped_listed_projects); one row per pending decision, longest
-- waiting first.
with
pending as (
    select
        decision_id,
        plan_id,
        project_id,
        bank,
        branch,
        product,
        plan_submitted_on,
        requested_amount_mad,
        date_diff('day', plan_submitted_on, cast($as_of as date)) as days_waiting
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator)
    where decision = 'pending'
),

final as (
    select
        pe.decision_id,
        pe.bank,
        pe.branch,
        pe.product,
        pe.project_id,
        lp.project_name,
        pe.plan_id,
        pe.plan_submitted_on,
        pe.days_waiting,
        pe.requested_amount_mad,
        lp.* exclude (project_id, project_name)
    from pending as pe
    join scoped_listed_projects($academic_year, $region, $establishment, $bank, $incubator, $personal_data,
                                (select list(project_id) from pending)) as lp
      on lp.project_id = pe.project_id
    order by pe.plan_submitted_on nulls last, pe.decision_id
)

select * from final
