-- Approved decisions with no disbursement more than $days days after the decision (at $as_of;
-- the same rule as programme/follow_up_loans_not_disbursed); one row per decision, longest
-- waiting first.
with
waiting as (
    select
        fd.decision_id,
        fd.project_id,
        fd.bank,
        fd.branch,
        fd.region_code,
        fd.decided_on,
        fd.amount_approved_mad,
        $as_of - fd.decided_on as days_waiting
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator) as fd
    where fd.decision = 'approved'
      and fd.disbursed_on is null
      and fd.decided_on < $as_of - cast($days as integer)
)

select * from waiting
order by days_waiting desc, decision_id
