-- Approved decisions with no disbursement more than $days days after the decision (at $as_of;
-- scoped_loans_not_disbursed, the rule of programme/follow_up_loans_not_disbursed too); one row
-- per decision, longest waiting first.
with
waiting as (
    select
        decision_id,
        project_id,
        bank,
        branch,
        region_code,
        decided_on,
        amount_approved_mad,
        days_waiting
    from scoped_loans_not_disbursed($academic_year, $region, $establishment, $bank, $incubator, $as_of, $days)
)

select * from waiting
order by days_waiting desc, decision_id
