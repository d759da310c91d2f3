-- Establishments where the PIE runs, for the map: launched (pie_launch_date set, on or before
-- the end of the scope's academic year, 31 August, when one is chosen) or with a cohort in
-- scope; one row per establishment, with its cohorts and participants in scope.
with
establishment_list as (
    select establishment_id, name, kind, city, region_code, pie_launch_date
    from scoped_establishments($academic_year, $region, $establishment, $bank, $incubator)
),

cohort_counts as (
    select establishment_id, count(*) as n_cohorts
    from scoped_cohorts($academic_year, $region, $establishment)
    group by establishment_id
),

people as (
    select establishment_id, count(*) as participants
    from scoped_participants($academic_year, $region, $establishment, $bank, $incubator)
    group by establishment_id
),

final as (
    select
        el.establishment_id,
        el.name,
        el.kind,
        el.city,
        el.region_code,
        el.pie_launch_date,
        coalesce(cc.n_cohorts, 0) as n_cohorts,
        coalesce(pe.participants, 0) as participants
    from establishment_list as el
    left join cohort_counts as cc on cc.establishment_id = el.establishment_id
    left join people as pe on pe.establishment_id = el.establishment_id
    where cc.n_cohorts > 0
       or (el.pie_launch_date is not null
           and ($academic_year is null
                or el.pie_launch_date <= make_date(cast(substr($academic_year, 6, 4) as integer), 8, 31)))
)

select * from final
order by region_code, city, name
