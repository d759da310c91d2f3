-- Participants to call: a phase in progress (only $phase when not null) and no activity for at
-- least $idle_days days on $as_of, activity being the latest of their enrolled_on and their
-- phases' started_on and completed_on. Contact details (participant_contacts) are read only
-- when $with_contacts. One row per participant and phase in progress, longest idle first.
with
people as (
    select
        participant_id,
        cohort_id,
        academic_year,
        establishment_id,
        profile,
        enrolled_on
    from scoped_participants($academic_year, $region, $establishment, $bank, $incubator)
),

phases as (
    select participant_id, phase, status, started_on, completed_on, hours_attended
    from scoped_phase_progress($academic_year, $region, $establishment, $bank, $incubator)
),

last_activity as (
    select
        pe.participant_id,
        greatest(pe.enrolled_on, max(ph.started_on), max(ph.completed_on)) as last_activity_on
    from people as pe
    left join phases as ph on ph.participant_id = pe.participant_id
    group by pe.participant_id, pe.enrolled_on
),

stalled as (
    select
        ph.participant_id,
        ph.phase,
        ph.started_on,
        ph.hours_attended,
        la.last_activity_on,
        date_diff('day', la.last_activity_on, cast($as_of as date)) as idle_days
    from phases as ph
    join last_activity as la on la.participant_id = ph.participant_id
    where ph.status = 'in_progress'
      and ($phase is null or ph.phase = $phase)
      and date_diff('day', la.last_activity_on, cast($as_of as date)) >= $idle_days
),

contacts as (
    select participant_id, full_name, phone, email
    from participant_contacts
    where $with_contacts
      and participant_id in (select participant_id from stalled)
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
        pe.profile,
        pe.cohort_id,
        es.establishment_id,
        es.name as establishment_name,
        pe.academic_year
    from stalled as st
    join people as pe on pe.participant_id = st.participant_id
    join establishments as es on es.establishment_id = pe.establishment_id
    left join contacts as ct on ct.participant_id = st.participant_id
    order by st.idle_days desc, st.participant_id, st.phase
)

select * from final
