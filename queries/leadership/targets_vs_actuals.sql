-- Each targets metric of each region in scope for the scope's academic year: target (null when
-- none was set), actual as of $as_of, the previous academic year's ($previous_year) actual as of
-- $previous_as_of and its final actual (previous_final), and progress = actual ÷ target; one row
-- per region and metric (every region in scope × the 5 metrics). A null date counts every row.
-- Event dates (METRICS.md "As of"): participants enrolled_on, immersion completed_on, a
-- project's first validated plan reviewed_on, its first approval decided_on, companies
-- registered_on.
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

-- one row per counted thing of either year: its year, region, metric and event date
events as (
    select academic_year, region_code, 'participants' as metric, enrolled_on as event_on
    from scoped_participants(null, $region, $establishment, $bank, $incubator)
    where academic_year in ($academic_year, $previous_year)
    union all
    select academic_year, region_code, 'immersion_completed', completed_on
    from scoped_phase_progress(null, $region, $establishment, $bank, $incubator)
    where academic_year in ($academic_year, $previous_year)
      and phase = 'immersion' and status = 'completed'
    union all
    select any_value(academic_year), any_value(region_code), 'plans_validated', min(reviewed_on)
    from scoped_business_plans(null, $region, $establishment, $bank, $incubator)
    where academic_year in ($academic_year, $previous_year) and status = 'validated'
    group by project_id
    union all
    select any_value(academic_year), any_value(region_code), 'projects_financed', min(decided_on)
    from scoped_financing_decisions(null, $region, $establishment, $bank, $incubator)
    where academic_year in ($academic_year, $previous_year) and decision = 'approved'
    group by project_id
    union all
    select academic_year, region_code, 'companies_created', registered_on
    from scoped_companies(null, $region, $establishment, $bank, $incubator)
    where academic_year in ($academic_year, $previous_year)
),

counted as (
    select
        region_code,
        metric,
        count(*) filter (where academic_year = $academic_year
                           and ($as_of is null or event_on <= $as_of)) as actual,
        count(*) filter (where academic_year = $previous_year
                           and ($previous_as_of is null or event_on <= $previous_as_of)) as previous_actual,
        count(*) filter (where academic_year = $previous_year) as previous_final
    from events
    group by region_code, metric
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
        coalesce(cu.actual, 0) as actual,
        case when $previous_year is not null then coalesce(cu.previous_actual, 0) end as previous_actual,
        case when $previous_year is not null then coalesce(cu.previous_final, 0) end as previous_final,
        coalesce(cu.actual, 0) / nullif(yt.target_value, 0) as progress
    from region_list as rl
    cross join metric_list as ml
    left join counted as cu
      on cu.region_code = rl.region_code and cu.metric = ml.metric
    left join year_targets as yt
      on yt.region_code = rl.region_code and yt.metric = ml.metric
)

select * from final
order by region_code, metric_order
