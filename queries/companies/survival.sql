-- Survival of the companies in scope 12 and 24 months after registration, as of $as_of: for each
-- horizon, companies registered at least that long before $as_of (eligible; the others are too
-- recent), and among them those active, closed or of unknown status at the horizon. Status at
-- the horizon: the latest follow-up at or before it; without one, active if a later follow-up or
-- the register says active (a company does not reopen), else unknown. One row per horizon.
with
companies_in_scope as (
    select company_id, registered_on, status
    from scoped_companies($academic_year, $region, $establishment, $bank, $incubator)
),

followups as (
    select company_id, as_of, status
    from scoped_company_followups($academic_year, $region, $establishment, $bank, $incubator)
),

horizons as (
    select unnest([12, 24]) as months
),

eligible as (
    select
        h.months,
        co.company_id,
        co.status as register_status,
        co.registered_on + to_months(h.months) as horizon_on,
        co.registered_on + to_months(h.months) <= cast($as_of as date) as is_eligible
    from horizons as h
    cross join companies_in_scope as co
),

statuses as (
    select
        el.months,
        el.company_id,
        el.is_eligible,
        coalesce(
            (select arg_max(f.status, f.as_of) from followups as f
             where f.company_id = el.company_id and f.as_of <= el.horizon_on),
            case
                when el.register_status = 'active' then 'active'
                when exists (select 1 from followups as f
                             where f.company_id = el.company_id and f.as_of > el.horizon_on
                               and f.status = 'active') then 'active'
            end,
            'unknown') as status_at_horizon
    from eligible as el
),

final as (
    select
        months,
        count(*) as n_companies,
        count(*) filter (where not is_eligible) as n_too_recent,
        count(*) filter (where is_eligible) as n_eligible,
        count(*) filter (where is_eligible and status_at_horizon = 'active') as n_active,
        count(*) filter (where is_eligible and status_at_horizon = 'closed') as n_closed,
        count(*) filter (where is_eligible and status_at_horizon = 'unknown') as n_unknown,
        count(*) filter (where is_eligible and status_at_horizon = 'active')
            / nullif(count(*) filter (where is_eligible and status_at_horizon <> 'unknown'), 0)
            as survival_rate
    from statuses
    group by months
)

select * from final
order by months
