-- Incubators with at least one stage row in scope, most projects first; one row per incubator
-- (the choices of the incubator selector).
with
stage_rows as (
    select s.incubator, s.project_id
    from scoped_incubation_stages($academic_year, $region, $establishment, $bank, $incubator) as s
),

final as (
    select
        incubator,
        count(distinct project_id) as n_projects
    from stage_rows
    group by incubator
)

select * from final
order by n_projects desc, incubator
