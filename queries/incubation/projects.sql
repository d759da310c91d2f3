-- The incubated projects in scope with their status now (as in stages_now.sql), narrowed to one
-- status when $focus_stage is given (null = any): incubator, stage entered on, stages passed,
-- coaching hours, company; one row per project.
with
per_project as (
    select
        project_id,
        count(*) as n_stages,
        min(entered_on) as first_entered_on
    from scoped_incubation_stages($academic_year, $region, $establishment, $bank, $incubator)
    group by project_id
),

latest_rows as (
    select project_id, incubator, stage, entered_on, exited_on, status_now
    from scoped_latest_incubation_stages($academic_year, $region, $establishment, $bank, $incubator)
),

coaching as (
    select project_id, sum(hours) as coaching_hours, count(*) as n_sessions
    from scoped_coaching_sessions($academic_year, $region, $establishment, $bank, $incubator)
    group by project_id
),

final as (
    select
        lr.project_id,
        sp.name as project_name,
        sp.sector,
        sp.region_code,
        r.name_fr as region_name_fr,
        r.name_ar as region_name_ar,
        e.name as establishment_name,
        lr.incubator,
        lr.status_now,
        lr.stage,
        lr.entered_on,
        lr.exited_on,
        pp.first_entered_on,
        pp.n_stages,
        coalesce(co.coaching_hours, 0) as coaching_hours,
        coalesce(co.n_sessions, 0) as n_sessions,
        c.company_id
    from latest_rows as lr
    join per_project as pp on pp.project_id = lr.project_id
    join scoped_projects($academic_year, $region, $establishment, $bank, $incubator) as sp
      on sp.project_id = lr.project_id
    join establishments as e on e.establishment_id = sp.establishment_id
    left join regions as r on r.region_code = sp.region_code
    left join coaching as co on co.project_id = lr.project_id
    left join companies as c on c.project_id = lr.project_id
    where $focus_stage is null or lr.status_now = $focus_stage
)

select * from final
order by entered_on desc, project_id
