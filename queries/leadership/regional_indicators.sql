-- The leadership indicators of each region in scope (the 12 regions, or the one chosen), with
-- reach per 10,000 people aged 15–29 and, when an academic year is chosen, that year's
-- targets and progress = actual ÷ target; one row per region, zeros included.
with
people as (
    select region_code, count(*) as participants
    from scoped_participants($academic_year, $region, $establishment, $bank, $incubator)
    group by region_code
),

immersion as (
    select region_code, count(*) as immersion_completed
    from scoped_phase_progress($academic_year, $region, $establishment, $bank, $incubator)
    where phase = 'immersion' and status = 'completed'
    group by region_code
),

validated as (
    select region_code, count(distinct project_id) as plans_validated
    from scoped_business_plans($academic_year, $region, $establishment, $bank, $incubator)
    where status = 'validated'
    group by region_code
),

financed as (
    select region_code, count(distinct project_id) as projects_financed
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator)
    where decision = 'approved'
    group by region_code
),

created as (
    select region_code, count(*) as companies_created
    from scoped_companies($academic_year, $region, $establishment, $bank, $incubator)
    group by region_code
),

year_targets as (
    select
        region_code,
        sum(target_value) filter (where metric = 'participants') as target_participants,
        sum(target_value) filter (where metric = 'immersion_completed') as target_immersion_completed,
        sum(target_value) filter (where metric = 'plans_validated') as target_plans_validated,
        sum(target_value) filter (where metric = 'projects_financed') as target_projects_financed,
        sum(target_value) filter (where metric = 'companies_created') as target_companies_created
    from scoped_targets($academic_year, $region, $establishment, $bank, $incubator)
    -- targets are yearly: summing several years' would mix objectives with future ones
    where $academic_year is not null
    group by region_code
),

actuals as (
    select
        r.region_code,
        r.name_fr,
        r.name_ar,
        r.youth_15_29_2024,
        coalesce(pe.participants, 0) as participants,
        coalesce(im.immersion_completed, 0) as immersion_completed,
        coalesce(va.plans_validated, 0) as plans_validated,
        coalesce(fi.projects_financed, 0) as projects_financed,
        coalesce(cr.companies_created, 0) as companies_created
    from regions as r
    left join people as pe on pe.region_code = r.region_code
    left join immersion as im on im.region_code = r.region_code
    left join validated as va on va.region_code = r.region_code
    left join financed as fi on fi.region_code = r.region_code
    left join created as cr on cr.region_code = r.region_code
    where $region is null or r.region_code = $region
),

final as (
    select
        ac.*,
        ac.participants * 10000.0 / ac.youth_15_29_2024 as reach_per_10k,
        tg.target_participants,
        tg.target_immersion_completed,
        tg.target_plans_validated,
        tg.target_projects_financed,
        tg.target_companies_created,
        ac.participants / nullif(tg.target_participants, 0) as progress_participants,
        ac.immersion_completed / nullif(tg.target_immersion_completed, 0) as progress_immersion_completed,
        ac.plans_validated / nullif(tg.target_plans_validated, 0) as progress_plans_validated,
        ac.projects_financed / nullif(tg.target_projects_financed, 0) as progress_projects_financed,
        ac.companies_created / nullif(tg.target_companies_created, 0) as progress_companies_created
    from actuals as ac
    left join year_targets as tg on tg.region_code = ac.region_code
)

select * from final
order by region_code
