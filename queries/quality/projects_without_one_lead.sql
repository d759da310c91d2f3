-- Projects in scope that do not have exactly one lead (a data-quality warning of DATA_MODEL.md);
-- one row per project, most members first.
with
memberships as (
    select
        project_id,
        count(*) filter (where role = 'lead') as n_leads,
        count(*) as n_members
    from scoped_project_members($academic_year, $region, $establishment, $bank, $incubator)
    group by project_id
),

final as (
    select
        sp.project_id,
        sp.name,
        sp.cohort_id,
        sp.region_code,
        coalesce(m.n_leads, 0) as n_leads,
        coalesce(m.n_members, 0) as n_members
    from scoped_projects($academic_year, $region, $establishment, $bank, $incubator) as sp
    left join memberships as m on m.project_id = sp.project_id
    where coalesce(m.n_leads, 0) <> 1
)

select * from final
order by n_members desc, project_id
