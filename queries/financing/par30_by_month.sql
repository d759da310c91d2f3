-- PAR30 (METRICS.md portfolio_at_risk_30) at each month end of the loan follow-up history in
-- scope (a bank: its own loans), from the month of the first follow-up to the month of the
-- latest: as of each month end, each loan approved by then and its latest follow-up on or
-- before it (scoped_latest_loan_followups with that date, as kpis --as-of counts it); one row
-- per month end: month_end, n_loans_reported, outstanding_mad, at_risk_mad,
-- portfolio_at_risk_30. No row without a follow-up.
with
history as (
    select min(as_of) as first_on, max(as_of) as last_on
    from scoped_loan_followups($academic_year, $region, $establishment, $bank, $incubator)
),

month_ends as (
    select cast(months.month_start + interval 1 month - interval 1 day as date) as month_end
    from history as hi
    cross join unnest(generate_series(date_trunc('month', hi.first_on), date_trunc('month', hi.last_on),
                                      interval 1 month)) as months(month_start)
),

per_month as (
    select
        me.month_end,
        count(*) as n_loans_reported,
        coalesce(sum(lf.outstanding_mad), 0) as outstanding_mad,
        coalesce(sum(lf.outstanding_mad) filter (where lf.days_past_due > 30), 0) as at_risk_mad,
        portfolio_at_risk_30_of(lf.outstanding_mad, lf.days_past_due) as portfolio_at_risk_30
    from month_ends as me,
    lateral (
        select *
        from scoped_latest_loan_followups($academic_year, $region, $establishment, $bank, $incubator, me.month_end)
    ) as lf
    group by me.month_end
),

final as (
    select * from per_month
)

select * from final
order by month_end
