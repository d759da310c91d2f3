-- Participants to call: a phase in progress (only $phase when not null) and no activity for at
-- least $idle_days days on $as_of, activity being the latest of their enrolled_on and their
-- phases' started_on and completed_on. Contact details (scoped_contacts) only when
-- $personal_data. One row per participant and phase in progress, longest idle first.
with
-- phase rows in scope carry their participant's enrolment date, profile, cohort, year and
-- establishment (scoped_phase_progress), so no join with the participants is needed
phases as (
    select
        participant_id, phase, status, started_on, completed_on, hours_attended,
        enrolled_on, profile, cohort_id, academic_year, establishment_id
    from scoped_phase_progress($academic_year, $region, $establishment, $bank, $incubator)
),

in_progress as (
    select *
    from phases
    where status = 'in_progress'
      and ($phase is null or phase = $phase)
),

-- only people with a phase in progress can be stalled
last_activity as (
    select
        participant_id,
        greatest(any_value(enrolled_on), max(started_on), max(completed_on)) as last_activity_on
    from phases
    where participant_id in (select participant_id from in_progress)
    group by participant_id
),

stalled as (
    select
        ip.participant_id,
        ip.phase,
        ip.started_on,
        ip.hours_attended,
        ip.profile,
        ip.cohort_id,
        ip.academic_year,
        ip.establishment_id,
        la.last_activity_on,
        date_diff('day', la.last_activity_on, cast($as_of as date)) as idle_days
    from in_progress as ip
    join last_activity as la on la.participant_id = ip.participant_id
    where date_diff('day', la.last_activity_on, cast($as_of as date)) >= $idle_days
),

final as (
    select
        st.participant_id,
        ct.full_name,
        ct.phone,
        ct.email,
        st.phase,
        st.started_on,
        st.last_activity_on,
        st.idle_days,
        st.hours_attended,
        st.profile,
        st.cohort_id,
        es.establishment_id,
        es.name as establishment_name,
        st.academic_year
    from stalled as st
    join establishments as es on es.establishment_id = st.establishment_id
    left join scoped_contacts($academic_year, $region, $establishment, $bank, $incubator, $personal_data,
                              (select list(participant_id) from stalled)) as ct
      on ct.participant_id = st.participant_id
    order by st.idle_days desc, st.participant_id, st.phase
)

select * from final
