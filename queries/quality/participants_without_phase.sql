-- Participants enrolled more than $days days before $as_of who have no phase row at all;
-- one row per participant, longest waiting first.
with
waiting as (
    select
        sp.participant_id,
        sp.cohort_id,
        sp.region_code,
        sp.enrolled_on,
        $as_of - sp.enrolled_on as days_since_enrolment
    from scoped_participants($academic_year, $region, $establishment, $bank, $incubator) as sp
    where sp.enrolled_on < $as_of - cast($days as integer)
      and not exists (select 1 from phase_progress as pp where pp.participant_id = sp.participant_id)
)

select * from waiting
order by days_since_enrolment desc, participant_id
