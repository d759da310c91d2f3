-- Headline counts per academic year of the cohorts in scope (the year filter is ignored so the
-- trend shows every year); one row per academic year, oldest first.
with
people as (
    select academic_year, count(*) as participants
    from scoped_participants(null, $region, $establishment, $bank, $incubator)
    group by academic_year
),

immersion as (
    select academic_year, count(*) as immersion_completed
    from scoped_phase_progress(null, $region, $establishment, $bank, $incubator)
    where phase = 'immersion' and status = 'completed'
    group by academic_year
),

yearly_projects as (
    select academic_year, count(*) as projects
    from scoped_projects(null, $region, $establishment, $bank, $incubator)
    group by academic_year
),

final as (
    select
        pe.academic_year,
        pe.participants,
        coalesce(im.immersion_completed, 0) as immersion_completed,
        coalesce(pr.projects, 0) as projects
    from people as pe
    left join immersion as im on im.academic_year = pe.academic_year
    left join yearly_projects as pr on pr.academic_year = pe.academic_year
)

select * from final
order by academic_year
