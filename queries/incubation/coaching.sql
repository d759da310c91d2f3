-- Coaching given to the projects in scope per partner and kind: sessions, hours and projects
-- coached; one row per partner and kind, most hours first.
with
sessions as (
    select cs.partner, cs.kind, cs.project_id, cs.hours
    from scoped_coaching_sessions($academic_year, $region, $establishment, $bank, $incubator) as cs
),

final as (
    select
        partner,
        kind,
        count(*) as n_sessions,
        coalesce(sum(hours), 0) as hours,
        count(distinct project_id) as n_projects
    from sessions
    group by partner, kind
)

select * from final
order by hours desc, partner, kind
