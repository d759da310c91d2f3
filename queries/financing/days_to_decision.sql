-- Days from the plan's submission to the bank's decision, for decisions in scope that are
-- approved or rejected; one row per decision.
with
decided as (
    select
        fd.decision_id,
        fd.bank,
        fd.branch,
        fd.product,
        fd.decision,
        fd.days_to_decision
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator) as fd
    where fd.decision in ('approved', 'rejected')
),

final as (
    select * from decided
)

select * from final
order by days_to_decision, decision_id
