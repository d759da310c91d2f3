-- The coaching sessions of the projects in scope, narrowed to one partner when $focus_partner
-- is given (null = any); one row per session, latest first.
with
sessions as (
    select cs.*
    from scoped_coaching_sessions($academic_year, $region, $establishment, $bank, $incubator) as cs
    where $focus_partner is null or cs.partner = $focus_partner
),

final as (
    select
        se.session_id,
        se.held_on,
        se.partner,
        se.kind,
        se.hours,
        se.project_id,
        pr.name as project_name
    from sessions as se
    join projects as pr on pr.project_id = se.project_id
)

select * from final
order by held_on desc, session_id
