-- Each targets metric of each region in scope for the scope's academic year: target (null when
-- none was set), actual, the previous academic year's actual ($previous_year) and progress =
-- actual ÷ target; one row per region and metric (every region in scope × the 5 metrics).
with
metric_list as (
    select * from (values
        ('participants', 1),
        ('immersion_completed', 2),
        ('plans_validated', 3),
        ('projects_financed', 4),
        ('companies_created', 5)
    ) as m(metric, metric_order)
),

region_list as (
    select region_code, name_fr, name_ar
    from regions
    where $region is null or region_code = $region
),

counted as (
    select 'current' as period, region_code, 'participants' as metric, count(*) as value
    from scoped_participants($academic_year, $region, $establishment, $bank, $incubator)
    group by region_code
    union all
    select 'previous', region_code, 'participants', count(*)
    from scoped_participants($previous_year, $region, $establishment, $bank, $incubator)
    where $previous_year is not null
    group by region_code

    union all
    select 'current', region_code, 'immersion_completed', count(*)
    from scoped_phase_progress($academic_year, $region, $establishment, $bank, $incubator)
    where phase = 'immersion' and status = 'completed'
    group by region_code
    union all
    select 'previous', region_code, 'immersion_completed', count(*)
    from scoped_phase_progress($previous_year, $region, $establishment, $bank, $incubator)
    where $previous_year is not null and phase = 'immersion' and status = 'completed'
    group by region_code

    union all
    select 'current', region_code, 'plans_validated', count(distinct project_id)
    from scoped_business_plans($academic_year, $region, $establishment, $bank, $incubator)
    where status = 'validated'
    group by region_code
    union all
    select 'previous', region_code, 'plans_validated', count(distinct project_id)
    from scoped_business_plans($previous_year, $region, $establishment, $bank, $incubator)
    where $previous_year is not null and status = 'validated'
    group by region_code

    union all
    select 'current', region_code, 'projects_financed', count(distinct project_id)
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator)
    where decision = 'approved'
    group by region_code
    union all
    select 'previous', region_code, 'projects_financed', count(distinct project_id)
    from scoped_financing_decisions($previous_year, $region, $establishment, $bank, $incubator)
    where $previous_year is not null and decision = 'approved'
    group by region_code

    union all
    select 'current', region_code, 'companies_created', count(*)
    from scoped_companies($academic_year, $region, $establishment, $bank, $incubator)
    group by region_code
    union all
    select 'previous', region_code, 'companies_created', count(*)
    from scoped_companies($previous_year, $region, $establishment, $bank, $incubator)
    where $previous_year is not null
    group by region_code
),

year_targets as (
    select region_code, metric, target_value
    from scoped_targets($academic_year, $region, $establishment, $bank, $incubator)
    where $academic_year is not null
),

final as (
    select
        rl.region_code,
        rl.name_fr,
        rl.name_ar,
        ml.metric,
        ml.metric_order,
        yt.target_value as target,
        coalesce(cu.value, 0) as actual,
        case when $previous_year is not null then coalesce(pr.value, 0) end as previous_actual,
        coalesce(cu.value, 0) / nullif(yt.target_value, 0) as progress
    from region_list as rl
    cross join metric_list as ml
    left join counted as cu
      on cu.period = 'current' and cu.region_code = rl.region_code and cu.metric = ml.metric
    left join counted as pr
      on pr.period = 'previous' and pr.region_code = rl.region_code and pr.metric = ml.metric
    left join year_targets as yt
      on yt.region_code = rl.region_code and yt.metric = ml.metric
)

select * from final
order by region_code, metric_order
