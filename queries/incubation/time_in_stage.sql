-- Time spent in each incubation stage in scope: projects that entered it, that left it, still
-- in it, and the median, first and third quartile of days in the stage over the stays that
-- ended (exited_on − entered_on); one row per stage, in stage order.
with
stage_rows as (
    select
        s.stage,
        s.exited_on - s.entered_on as days_in_stage,
        s.stage_order
    from scoped_incubation_stage_rows($academic_year, $region, $establishment, $bank, $incubator) as s
),

final as (
    select
        stage,
        min(stage_order) as stage_order,
        count(*) as n_entered,
        count(days_in_stage) as n_exited,
        count(*) - count(days_in_stage) as n_open,
        median(days_in_stage) as median_days,
        quantile_cont(days_in_stage, 0.25) as q1_days,
        quantile_cont(days_in_stage, 0.75) as q3_days
    from stage_rows
    group by stage
)

select * from final
order by stage_order
