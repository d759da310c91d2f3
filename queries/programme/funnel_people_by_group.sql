-- The funnel's people steps per gender or profile ($breakdown: gender or profile); one row
-- per group. Project steps count projects, which have no gender or profile: not shown here.
with
people as (
    select
        case $breakdown when 'gender' then gender when 'profile' then profile end as group_key,
        participant_id
    from scoped_participants($academic_year, $region, $establishment, $bank, $incubator)
),

members as (
    select distinct participant_id
    from scoped_project_members($academic_year, $region, $establishment, $bank, $incubator)
),

final as (
    select
        pe.group_key,
        count(*) as participants,
        count(*) filter (where aw.status = 'completed') as awareness_completed,
        count(*) filter (where fu.status = 'completed') as fundamentals_completed,
        count(*) filter (where im.status = 'completed') as immersion_completed,
        count(*) filter (where pe.participant_id in (select participant_id from members))
            as project_members
    from people as pe
    left join phase_progress as aw on aw.participant_id = pe.participant_id and aw.phase = 'awareness'
    left join phase_progress as fu on fu.participant_id = pe.participant_id and fu.phase = 'fundamentals'
    left join phase_progress as im on im.participant_id = pe.participant_id and im.phase = 'immersion'
    group by pe.group_key
)

select * from final
order by participants desc, group_key
