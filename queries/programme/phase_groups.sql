-- Progress through the three phases for every grouping the Phases page shows, in one pass: one
-- row per breakdown (all, cohort, establishment, academic_year, profile, sector, gender), group
-- and phase, narrowed by the page's focus ($cohort, $profile, $sector, $gender; null = any).
-- eligible: the group's participants for awareness, else those who completed the previous phase;
-- not_started = eligible − started; within_<n>: completed at most n days after the cohort's
-- start_date; participants_dropped (METRICS.md `dropped`) and the cohorts' first/last
-- start_date are the group's, repeated on each phase's row.
-- median_days_to_complete (enrolled_on → completed_on, over completions) and hours_median are
-- given for the breakdown `all` only (the page's summary; null elsewhere): medians cannot be
-- rolled up, and computing them for every group took most of this query's time at national
-- scale. Everything else is counted once at the finest grain (cohort × profile × sector ×
-- gender × phase, a participant's attributes) and rolled up from there.
with
people as (
    select
        sp.cohort_id,
        sp.establishment_id,
        sp.academic_year,
        sp.profile,
        sp.sector,
        sp.gender,
        co.start_date
    from scoped_participants($academic_year, $region, $establishment, $bank, $incubator) as sp
    join scoped_cohorts($academic_year, $region, $establishment) as co on co.cohort_id = sp.cohort_id
    where in_phase_focus($cohort, $profile, $sector, $gender, sp.cohort_id, sp.profile, sp.sector, sp.gender)
),

progress as (
    select
        pp.participant_id,
        pp.cohort_id,
        pp.establishment_id,
        pp.academic_year,
        pp.profile,
        pp.sector,
        pp.gender,
        pp.phase,
        pp.status,
        pp.hours_attended,
        date_diff('day', pp.enrolled_on, pp.completed_on) as days_to_complete,
        date_diff('day', pp.cohort_start_date, pp.completed_on) as cohort_age
    from scoped_phase_progress($academic_year, $region, $establishment, $bank, $incubator) as pp
    where in_phase_focus($cohort, $profile, $sector, $gender, pp.cohort_id, pp.profile, pp.sector, pp.gender)
),

-- participants per finest group (a participant belongs to exactly one)
people_fine as (
    select
        cohort_id, establishment_id, academic_year,
        profile, sector, gender,
        count(*) as participants,
        min(start_date) as start_date
    from people
    group by cohort_id, establishment_id, academic_year, profile, sector, gender
),

-- phase rows per finest group and phase
progress_fine as (
    select
        cohort_id, establishment_id, academic_year,
        profile, sector, gender, phase,
        count(*) as started,
        count(*) filter (where status = 'completed') as completed,
        count(*) filter (where status = 'in_progress') as in_progress,
        count(*) filter (where status = 'dropped') as dropped,
        sum(hours_attended) as hours_total,
        count(*) filter (where status = 'completed' and cohort_age <= 30) as within_30,
        count(*) filter (where status = 'completed' and cohort_age <= 60) as within_60,
        count(*) filter (where status = 'completed' and cohort_age <= 90) as within_90,
        count(*) filter (where status = 'completed' and cohort_age <= 180) as within_180,
        count(*) filter (where status = 'completed' and cohort_age <= 365) as within_365
    from progress
    group by cohort_id, establishment_id, academic_year, profile, sector, gender, phase
),

-- participants who dropped out of at least one phase, per finest group
dropouts_fine as (
    select
        cohort_id, establishment_id, academic_year,
        profile, sector, gender,
        count(distinct participant_id) as participants_dropped
    from progress
    where status = 'dropped'
    group by cohort_id, establishment_id, academic_year, profile, sector, gender
),

group_sizes as (
    select
        phase_group_breakdown(grouping(cohort_id, establishment_id, academic_year, profile, sector, gender))
            as breakdown,
        coalesce(cohort_id, establishment_id, academic_year, profile, sector, gender, 'all') as group_key,
        sum(participants) as participants,
        min(start_date) as first_start,
        max(start_date) as last_start
    from people_fine
    group by grouping sets ((), (cohort_id), (establishment_id), (academic_year), (profile), (sector), (gender))
),

phase_stats as (
    select
        phase_group_breakdown(grouping(cohort_id, establishment_id, academic_year, profile, sector, gender))
            as breakdown,
        coalesce(cohort_id, establishment_id, academic_year, profile, sector, gender, 'all') as group_key,
        phase,
        sum(started) as started,
        sum(completed) as completed,
        sum(in_progress) as in_progress,
        sum(dropped) as dropped,
        sum(hours_total) as hours_total,
        sum(within_30) as within_30,
        sum(within_60) as within_60,
        sum(within_90) as within_90,
        sum(within_180) as within_180,
        sum(within_365) as within_365
    from progress_fine
    group by grouping sets ((phase), (phase, cohort_id), (phase, establishment_id), (phase, academic_year),
                            (phase, profile), (phase, sector), (phase, gender))
),

phase_medians as (
    select
        'all' as breakdown,
        'all' as group_key,
        phase,
        median(days_to_complete) as median_days_to_complete,
        median(hours_attended) as hours_median
    from progress
    group by phase
),

dropouts as (
    select
        phase_group_breakdown(grouping(cohort_id, establishment_id, academic_year, profile, sector, gender))
            as breakdown,
        coalesce(cohort_id, establishment_id, academic_year, profile, sector, gender, 'all') as group_key,
        sum(participants_dropped) as participants_dropped
    from dropouts_fine
    group by grouping sets ((), (cohort_id), (establishment_id), (academic_year), (profile), (sector), (gender))
),

phase_order as (
    select *
    from (values ('awareness', 1), ('fundamentals', 2), ('immersion', 3)) as v (phase, position)
),

eligible as (
    select breakdown, group_key, 'awareness' as phase, participants as eligible
    from group_sizes
    union all
    select
        breakdown,
        group_key,
        case phase when 'awareness' then 'fundamentals' else 'immersion' end as phase,
        completed as eligible
    from phase_stats
    where phase in ('awareness', 'fundamentals')
),

labels as (
    select 'establishment' as breakdown, establishment_id as group_key, name as group_label
    from establishments
    union all
    select 'cohort', c.cohort_id, e.name || ' · ' || c.academic_year
    from cohorts as c
    join establishments as e on e.establishment_id = c.establishment_id
),

final as (
    select
        gs.breakdown,
        gs.group_key,
        coalesce(lb.group_label, gs.group_key) as group_label,
        gs.first_start as start_date,
        gs.last_start,
        po.phase,
        coalesce(gs.participants, 0) as participants,  -- the grand total of an empty scope: 0, as METRICS.md participants
        coalesce(dr.participants_dropped, 0) as participants_dropped,
        coalesce(el.eligible, 0) as eligible,
        coalesce(ps.started, 0) as started,
        greatest(coalesce(el.eligible, 0) - coalesce(ps.started, 0), 0) as not_started,
        coalesce(ps.completed, 0) as completed,
        coalesce(ps.in_progress, 0) as in_progress,
        coalesce(ps.dropped, 0) as dropped,
        pm.median_days_to_complete,
        ps.hours_total,
        pm.hours_median,
        coalesce(ps.within_30, 0) as within_30,
        coalesce(ps.within_60, 0) as within_60,
        coalesce(ps.within_90, 0) as within_90,
        coalesce(ps.within_180, 0) as within_180,
        coalesce(ps.within_365, 0) as within_365
    from group_sizes as gs
    cross join phase_order as po
    left join eligible as el
      on el.breakdown = gs.breakdown and el.group_key = gs.group_key and el.phase = po.phase
    left join phase_stats as ps
      on ps.breakdown = gs.breakdown and ps.group_key = gs.group_key and ps.phase = po.phase
    left join phase_medians as pm
      on pm.breakdown = gs.breakdown and pm.group_key = gs.group_key and pm.phase = po.phase
    left join dropouts as dr on dr.breakdown = gs.breakdown and dr.group_key = gs.group_key
    left join labels as lb on lb.breakdown = gs.breakdown and lb.group_key = gs.group_key
    order by gs.breakdown, gs.group_key, po.position
)

select * from final
