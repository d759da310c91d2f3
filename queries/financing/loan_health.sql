-- The health of approved loans in scope per group of $breakdown (all, bank, branch, product or
-- region), from each loan's latest follow-up: loans, loans reported, outstanding, outstanding
-- more than 30 days past due, PAR30, loans by status; one row per group.
with
loans as (
    select
        fd.decision_id,
        decision_group_key($breakdown, fd.bank, fd.branch, fd.product, fd.region_code) as group_key
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator) as fd
    where fd.decision = 'approved'
),

per_group as (
    select
        lo.group_key,
        count(*) as n_loans,
        count(lf.decision_id) as n_reported,
        coalesce(sum(lf.outstanding_mad), 0) as outstanding_mad,
        coalesce(sum(lf.outstanding_mad) filter (where lf.days_past_due > 30), 0) as at_risk_mad,
        portfolio_at_risk_30_of(lf.outstanding_mad, lf.days_past_due) as portfolio_at_risk_30,
        count(*) filter (where lf.days_past_due > 30) as n_past_due_30,
        count(*) filter (where lf.loan_status = 'current') as n_current,
        count(*) filter (where lf.loan_status = 'late') as n_late,
        count(*) filter (where lf.loan_status = 'repaid') as n_repaid,
        count(*) filter (where lf.loan_status = 'written_off') as n_written_off
    from loans as lo
    left join scoped_latest_loan_followups($academic_year, $region, $establishment, $bank, $incubator, null) as lf
      on lf.decision_id = lo.decision_id
    group by lo.group_key
),

final as (
    select pg.*, rn.region_name_fr, rn.region_name_ar
    from per_group as pg
    left join region_group_names($breakdown) as rn on rn.group_key = pg.group_key
)

select * from final
order by outstanding_mad desc, group_key
