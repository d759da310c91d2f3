-- Participants whose contacts are held and whose latest activity is before $cutoff
-- (pie.privacy.erasure, docs/PRIVACY.md "How long"). Activity = the latest of: enrolled_on;
-- their phases' started_on, completed_on; for each project they belong to, created_on, its
-- plans' submitted_on, reviewed_on, its decisions' decided_on, disbursed_on, its stages'
-- entered_on, exited_on, its coaching sessions' held_on, its company's registered_on and the
-- company's follow-ups' as_of. One row per participant: participant_id, last_activity_on;
-- oldest first. Reads the tables directly: retention is about everyone, not a scope.
with dates as (
    select participant_id, enrolled_on as on_date from participants
    union all select participant_id, started_on from phase_progress
    union all select participant_id, completed_on from phase_progress
    union all
    select pm.participant_id, d.on_date
    from project_members as pm
    join (
        select project_id, created_on as on_date from projects
        union all select project_id, submitted_on from business_plans
        union all select project_id, reviewed_on from business_plans
        union all select bp.project_id, fd.decided_on from financing_decisions as fd
                  join business_plans as bp on bp.plan_id = fd.plan_id
        union all select bp.project_id, fd.disbursed_on from financing_decisions as fd
                  join business_plans as bp on bp.plan_id = fd.plan_id
        union all select project_id, entered_on from incubation_stages
        union all select project_id, exited_on from incubation_stages
        union all select project_id, held_on from coaching_sessions
        union all select project_id, registered_on from companies
        union all select co.project_id, cf.as_of from company_followups as cf
                  join companies as co on co.company_id = cf.company_id
    ) as d on d.project_id = pm.project_id
)
select ct.participant_id, max(d.on_date) as last_activity_on
from participant_contacts as ct
left join dates as d on d.participant_id = ct.participant_id
group by ct.participant_id
having coalesce(max(d.on_date), date '1900-01-01') < $cutoff
order by last_activity_on, ct.participant_id
