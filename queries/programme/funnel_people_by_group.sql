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

completions as (
    select * from phase_completions_by($academic_year, $region, $establishment, $bank, $incubator, $breakdown)
),

people_counts as (
    select
        group_key,
        count(*) as participants,
        count(*) filter (where participant_id in (select participant_id from members)) as project_members
    from people
    group by group_key
),

final as (
    select
        pc.group_key,
        pc.participants,
        coalesce(co.awareness_completed, 0) as awareness_completed,
        coalesce(co.fundamentals_completed, 0) as fundamentals_completed,
        coalesce(co.immersion_completed, 0) as immersion_completed,
        pc.project_members
    from people_counts as pc
    left join completions as co on co.group_key = pc.group_key
)

select * from final
order by participants desc, group_key
