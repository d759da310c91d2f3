-- Business plans waiting for review: status `submitted` and no reviewed_on, with the days since
-- submission on $as_of and the project lead (contact details only when $with_contacts); one row
-- per plan, longest waiting first.
with
waiting as (
    select
        plan_id,
        project_id,
        version,
        submitted_on,
        requested_amount_mad,
        date_diff('day', submitted_on, cast($as_of as date)) as days_waiting
    from scoped_business_plans($academic_year, $region, $establishment, $bank, $incubator)
    where status = 'submitted'
      and reviewed_on is null
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
      and pm.project_id in (select project_id from waiting)
    group by pm.project_id
),

final as (
    select
        wa.plan_id,
        wa.project_id,
        pr.name as project_name,
        wa.version,
        wa.submitted_on,
        wa.days_waiting,
        wa.requested_amount_mad,
        ld.lead_id,
        ld.lead_name,
        ld.lead_phone,
        ld.lead_email,
        es.establishment_id,
        es.name as establishment_name,
        pr.academic_year
    from waiting as wa
    join scoped_projects($academic_year, $region, $establishment, $bank, $incubator) as pr
      on pr.project_id = wa.project_id
    join establishments as es on es.establishment_id = pr.establishment_id
    left join leads as ld on ld.project_id = wa.project_id
    order by wa.days_waiting desc, wa.plan_id
)

select * from final
