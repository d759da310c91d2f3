-- When the PIE launched in each region in scope (the 12 regions, or the one chosen): the
-- earliest pie_launch_date of its establishments, how many have launched, and the first
-- academic year with a cohort; one row per region (nulls where it has not launched).
with
launches as (
    select
        region_code,
        min(pie_launch_date) as first_launch_date,
        count(pie_launch_date) as n_establishments_launched
    from scoped_establishments($academic_year, $region, $establishment, $bank, $incubator)
    group by region_code
),

first_years as (
    select region_code, min(academic_year) as first_academic_year
    from scoped_cohorts($academic_year, $region, $establishment)
    group by region_code
),

final as (
    select
        r.region_code,
        r.name_fr,
        r.name_ar,
        la.first_launch_date,
        coalesce(la.n_establishments_launched, 0) as n_establishments_launched,
        fy.first_academic_year
    from regions as r
    left join launches as la on la.region_code = r.region_code
    left join first_years as fy on fy.region_code = r.region_code
    where $region is null or r.region_code = $region
)

select * from final
order by region_code
