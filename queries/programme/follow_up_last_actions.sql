-- Each participant in scope with a follow-up action, their latest one (latest action_on, then
-- latest recorded_at, then largest action_id): participant_id, last_action, last_outcome,
-- last_action_on, next_action_on (of that action). None for a bank, an incubator or a role
-- without personal data.
with
in_scope as (
    select participant_id
    from scoped_participants($academic_year, $region, $establishment, $bank, $incubator)
    where $bank is null and $incubator is null and $personal_data
),

ranked as (
    select
        fa.participant_id,
        fa.action,
        fa.outcome,
        fa.action_on,
        fa.next_action_on,
        row_number() over (partition by fa.participant_id
                           order by fa.action_on desc, fa.recorded_at desc nulls last, fa.action_id desc) as rank
    from follow_up_actions as fa
    where fa.participant_id in (select participant_id from in_scope)
),

final as (
    select
        participant_id,
        action as last_action,
        outcome as last_outcome,
        action_on as last_action_on,
        next_action_on
    from ranked
    where rank = 1
    order by participant_id
)

select * from final
