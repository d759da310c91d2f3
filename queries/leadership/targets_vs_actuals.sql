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
    select 'current' as period, *
    from regional_target_actuals($academic_year, $region, $establishment, $bank, $incubator)
    union all
    select 'previous', *
    from regional_target_actuals($previous_year, $region, $establishment, $bank, $incubator)
    where $previous_year is not null
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
