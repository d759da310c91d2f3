-- The funnel's steps per group of a breakdown ($breakdown: region, establishment, cohort or
-- academic_year); one row per group. People steps group participants by their cohort,
-- project steps group projects by theirs.
with
people as (
    select
        cohort_group_key($breakdown, region_code, establishment_id, cohort_id, academic_year) as group_key,
        participant_id
    from scoped_participants($academic_year, $region, $establishment, $bank, $incubator)
),

project_groups as (
    select
        cohort_group_key($breakdown, region_code, establishment_id, cohort_id, academic_year) as group_key,
        project_id
    from scoped_projects($academic_year, $region, $establishment, $bank, $incubator)
),

people_steps as (
    select
        group_key,
        count(*) as participants
    from people
    group by group_key
),

completion_steps as (
    select * from phase_completions_by($academic_year, $region, $establishment, $bank, $incubator, $breakdown)
),

member_steps as (
    select
        pr.group_key,
        count(distinct pm.participant_id) as project_members
    from project_groups as pr
    join project_members as pm on pm.project_id = pr.project_id
    group by pr.group_key
),

project_steps as (
    select
        pr.group_key,
        count(*) filter (where pr.project_id in (
            select project_id from business_plans where status = 'validated')) as plans_validated,
        count(*) filter (where pr.project_id in (
            select project_id
            from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator)
            where decision = 'approved')) as projects_financed,
        count(*) filter (where pr.project_id in (select project_id from companies)) as companies_created
    from project_groups as pr
    group by pr.group_key
),

labels as (
    select region_code as group_key, name_fr as group_label from regions
    where $breakdown = 'region'
    union all
    select establishment_id, name from establishments where $breakdown = 'establishment'
    union all
    select c.cohort_id, c.cohort_id || ' · ' || e.name || ' · ' || c.academic_year
    from cohorts as c join establishments as e on e.establishment_id = c.establishment_id
    where $breakdown = 'cohort'
),

final as (
    select
        coalesce(ps.group_key, ms.group_key, pj.group_key) as group_key,
        coalesce(lb.group_label, coalesce(ps.group_key, ms.group_key, pj.group_key)) as group_label,
        coalesce(ps.participants, 0) as participants,
        coalesce(cs.awareness_completed, 0) as awareness_completed,
        coalesce(cs.fundamentals_completed, 0) as fundamentals_completed,
        coalesce(cs.immersion_completed, 0) as immersion_completed,
        coalesce(ms.project_members, 0) as project_members,
        coalesce(pj.plans_validated, 0) as plans_validated,
        coalesce(pj.projects_financed, 0) as projects_financed,
        coalesce(pj.companies_created, 0) as companies_created
    from people_steps as ps
    left join completion_steps as cs on cs.group_key = ps.group_key
    full join member_steps as ms on ms.group_key = ps.group_key
    full join project_steps as pj on pj.group_key = coalesce(ps.group_key, ms.group_key)
    left join labels as lb on lb.group_key = coalesce(ps.group_key, ms.group_key, pj.group_key)
)

select * from final
order by participants desc, group_key
