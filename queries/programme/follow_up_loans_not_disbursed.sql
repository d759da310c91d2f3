-- Approved financing decisions not disbursed yet (no disbursed_on), with the days since the
-- decision on $as_of and the project lead (contact details only when $with_contacts); one row
-- per decision, longest waiting first.
with
undisbursed as (
    select
        decision_id,
        plan_id,
        project_id,
        bank,
        branch,
        product,
        decided_on,
        amount_approved_mad,
        date_diff('day', decided_on, cast($as_of as date)) as days_waiting
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator)
    where decision = 'approved'
      and disbursed_on is null
),

leads as (
    select
        pm.project_id,
        string_agg(pm.participant_id, ' / ' order by pm.participant_id) as lead_id,
        string_agg(ct.full_name, ' / ' order by pm.participant_id) as lead_name,
        string_agg(ct.phone, ' / ' order by pm.participant_id) as lead_phone,
        string_agg(ct.email, ' / ' order by pm.participant_id) as lead_email
    from scoped_project_members($academic_year, $region, $establishment, $bank, $incubator) as pm
    left join participant_contacts as ct
      on ct.participant_id = pm.participant_id and $with_contacts
    where pm.role = 'lead'
      and pm.project_id in (select project_id from undisbursed)
    group by pm.project_id
),

final as (
    select
        un.decision_id,
        un.plan_id,
        un.project_id,
        pr.name as project_name,
        un.bank,
        un.branch,
        un.product,
        un.decided_on,
        un.days_waiting,
        un.amount_approved_mad,
        ld.lead_id,
        ld.lead_name,
        ld.lead_phone,
        ld.lead_email,
        es.establishment_id,
        es.name as establishment_name,
        pr.academic_year
    from undisbursed as un
    join scoped_projects($academic_year, $region, $establishment, $bank, $incubator) as pr
      on pr.project_id = un.project_id
    join establishments as es on es.establishment_id = pr.establishment_id
    left join leads as ld on ld.project_id = un.project_id
    order by un.days_waiting desc, un.decision_id
)

select * from final
