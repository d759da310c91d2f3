-- Came back after a call (docs/FOLLOW_UP_ACTIONS.md): participants in scope with a contact
-- action (called, message, meeting) on a day D and a phase event of theirs (a phase_progress
-- started_on or completed_on) strictly after D; and the participants in scope with at least one
-- contact action. One row: came_back, contacted. Zero for a bank, an incubator or a role
-- without personal data.
with
in_scope as (
    select participant_id
    from scoped_participants($academic_year, $region, $establishment, $bank, $incubator)
    where $bank is null and $incubator is null and $personal_data
),

contacts as (
    select participant_id, action_on
    from follow_up_actions
    where action in ('called', 'message', 'meeting')
      and participant_id in (select participant_id from in_scope)
),

events as (
    select participant_id, started_on as event_on from phase_progress
    where participant_id in (select participant_id from contacts)
    union all
    select participant_id, completed_on from phase_progress
    where completed_on is not null and participant_id in (select participant_id from contacts)
),

came_back as (
    select distinct ct.participant_id
    from contacts as ct
    join events as ev on ev.participant_id = ct.participant_id and ev.event_on > ct.action_on
),

final as (
    select
        (select count(*) from came_back) as came_back,
        (select count(distinct participant_id) from contacts) as contacted
)

select * from final
