-- How participation grew: participants, cohorts and establishments with a cohort per region
-- and academic year in scope; one row per region and academic year that has participants.
with
people as (
    select region_code, academic_year, establishment_id, cohort_id
    from scoped_participants($academic_year, $region, $establishment, $bank, $incubator)
),

final as (
    select
        pe.region_code,
        r.name_fr,
        r.name_ar,
        pe.academic_year,
        count(*) as participants,
        count(distinct pe.cohort_id) as n_cohorts,
        count(distinct pe.establishment_id) as n_establishments
    from people as pe
    join regions as r on r.region_code = pe.region_code
    group by pe.region_code, r.name_fr, r.name_ar, pe.academic_year
)

select * from final
order by region_code, academic_year
