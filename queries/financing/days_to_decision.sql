-- Days from the plan's submission to the bank's decision (scoped_financing_decisions'
-- days_to_decision), for decisions in scope that are approved or rejected: the histogram of the
-- Financing page; one row per decision, quickest first.
select
    decision_id,
    decision,
    days_to_decision
from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator)
where decision in ('approved', 'rejected')
order by days_to_decision, decision_id
