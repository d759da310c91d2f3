-- The nested funnel of METRICS.md "Funnel" (scoped_people_funnel, scoped_project_funnel) per
-- group of $breakdown: region, establishment, cohort or academic_year (people and projects by
-- their cohort), gender or profile (people only: a project has neither), anything else one
-- group 'all'. One row per group: group_key, group_label (the name of a region, establishment
-- or cohort, else the key); each people step's count and women_<step> (gender `f`); each
-- project step's count, woman_led_<step> and with_lead_<step>; jobs_created, woman_led_jobs and
-- with_lead_jobs of the companies counted at the last step; companies_not_financed and
-- jobs_not_financed, the companies (and their jobs) of projects in scope never financed,
-- which the funnel leaves out.
with
people as materialized (
    select
        coalesce(person_group_key($breakdown, region_code, establishment_id, cohort_id, academic_year,
                                  gender, profile), 'all') as group_key,
        *
    from scoped_people_funnel($academic_year, $region, $establishment, $bank, $incubator)
),

project_rows as materialized (
    select
        coalesce(cohort_group_key($breakdown, region_code, establishment_id, cohort_id, academic_year),
                 'all') as group_key,
        *
    from scoped_project_funnel($academic_year, $region, $establishment, $bank, $incubator)
    where $breakdown not in ('gender', 'profile')
),

people_counts as (
    select
        group_key,
        count(*) as participants,
        count(*) filter (where completed_awareness) as completed_awareness,
        count(*) filter (where completed_awareness_and_fundamentals) as completed_awareness_and_fundamentals,
        count(*) filter (where completed_all_phases) as completed_all_phases,
        count(*) filter (where in_project) as in_project,
        count(*) filter (where gender = 'f') as women_participants,
        count(*) filter (where gender = 'f' and completed_awareness) as women_completed_awareness,
        count(*) filter (where gender = 'f' and completed_awareness_and_fundamentals)
            as women_completed_awareness_and_fundamentals,
        count(*) filter (where gender = 'f' and completed_all_phases) as women_completed_all_phases,
        count(*) filter (where gender = 'f' and in_project) as women_in_project
    from people
    group by group_key
),

project_counts as (
    select
        group_key,
        count(*) as projects,
        count(*) filter (where plan_submitted) as plan_submitted,
        count(*) filter (where plan_validated) as plan_validated,
        count(*) filter (where financed) as financed,
        count(*) filter (where company_created) as company_created,
        count(*) filter (where woman_led) as woman_led_projects,
        count(*) filter (where woman_led and plan_submitted) as woman_led_plan_submitted,
        count(*) filter (where woman_led and plan_validated) as woman_led_plan_validated,
        count(*) filter (where woman_led and financed) as woman_led_financed,
        count(*) filter (where woman_led and company_created) as woman_led_company_created,
        count(*) filter (where has_lead) as with_lead_projects,
        count(*) filter (where has_lead and plan_submitted) as with_lead_plan_submitted,
        count(*) filter (where has_lead and plan_validated) as with_lead_plan_validated,
        count(*) filter (where has_lead and financed) as with_lead_financed,
        count(*) filter (where has_lead and company_created) as with_lead_company_created,
        coalesce(sum(jobs_created) filter (where company_created), 0) as jobs_created,
        coalesce(sum(jobs_created) filter (where company_created and woman_led), 0) as woman_led_jobs,
        coalesce(sum(jobs_created) filter (where company_created and has_lead), 0) as with_lead_jobs,
        count(*) filter (where has_company and not financed) as companies_not_financed,
        coalesce(sum(jobs_created) filter (where has_company and not financed), 0) as jobs_not_financed
    from project_rows
    group by group_key
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
        coalesce(pc.group_key, pj.group_key) as group_key,
        coalesce(lb.group_label, pc.group_key, pj.group_key) as group_label,
        coalesce(pc.participants, 0) as participants,
        coalesce(pc.completed_awareness, 0) as completed_awareness,
        coalesce(pc.completed_awareness_and_fundamentals, 0) as completed_awareness_and_fundamentals,
        coalesce(pc.completed_all_phases, 0) as completed_all_phases,
        coalesce(pc.in_project, 0) as in_project,
        coalesce(pj.projects, 0) as projects,
        coalesce(pj.plan_submitted, 0) as plan_submitted,
        coalesce(pj.plan_validated, 0) as plan_validated,
        coalesce(pj.financed, 0) as financed,
        coalesce(pj.company_created, 0) as company_created,
        coalesce(pc.women_participants, 0) as women_participants,
        coalesce(pc.women_completed_awareness, 0) as women_completed_awareness,
        coalesce(pc.women_completed_awareness_and_fundamentals, 0) as women_completed_awareness_and_fundamentals,
        coalesce(pc.women_completed_all_phases, 0) as women_completed_all_phases,
        coalesce(pc.women_in_project, 0) as women_in_project,
        coalesce(pj.woman_led_projects, 0) as woman_led_projects,
        coalesce(pj.woman_led_plan_submitted, 0) as woman_led_plan_submitted,
        coalesce(pj.woman_led_plan_validated, 0) as woman_led_plan_validated,
        coalesce(pj.woman_led_financed, 0) as woman_led_financed,
        coalesce(pj.woman_led_company_created, 0) as woman_led_company_created,
        coalesce(pj.with_lead_projects, 0) as with_lead_projects,
        coalesce(pj.with_lead_plan_submitted, 0) as with_lead_plan_submitted,
        coalesce(pj.with_lead_plan_validated, 0) as with_lead_plan_validated,
        coalesce(pj.with_lead_financed, 0) as with_lead_financed,
        coalesce(pj.with_lead_company_created, 0) as with_lead_company_created,
        coalesce(pj.jobs_created, 0) as jobs_created,
        coalesce(pj.woman_led_jobs, 0) as woman_led_jobs,
        coalesce(pj.with_lead_jobs, 0) as with_lead_jobs,
        coalesce(pj.companies_not_financed, 0) as companies_not_financed,
        coalesce(pj.jobs_not_financed, 0) as jobs_not_financed
    from people_counts as pc
    full join project_counts as pj on pj.group_key = pc.group_key
    left join labels as lb on lb.group_key = coalesce(pc.group_key, pj.group_key)
)

select * from final
order by participants desc, group_key
