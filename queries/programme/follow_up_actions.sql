-- Follow-up actions on participants in scope (docs/FOLLOW_UP_ACTIONS.md), the latest first:
-- action_id, participant_id, action_on, action, outcome, note, next_action_on, recorded_by,
-- recorded_at, establishment_id, establishment_name. None for a bank, an incubator or a role
-- without personal data (a note is about a person).
with
in_scope as (
    select participant_id, establishment_id
    from scoped_participants($academic_year, $region, $establishment, $bank, $incubator)
    where $bank is null and $incubator is null and $personal_data
),

final as (
    select
        fa.action_id,
        fa.participant_id,
        fa.action_on,
        fa.action,
        fa.outcome,
        fa.note,
        fa.next_action_on,
        fa.recorded_by,
        fa.recorded_at,
        sc.establishment_id,
        es.name as establishment_name
    from follow_up_actions as fa
    join in_scope as sc on sc.participant_id = fa.participant_id
    join establishments as es on es.establishment_id = sc.establishment_id
    order by fa.action_on desc, fa.recorded_at desc nulls last, fa.action_id desc
)

select * from final
