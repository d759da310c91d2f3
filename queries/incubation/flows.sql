-- Flows between incubation stages for the Sankey diagram: from each stage row in scope to the
-- project's next stage row (exit `advanced`), to `graduated` or `abandoned`, to `in_progress`
-- when the row is still open, `next_missing` when advanced with no later row in scope, or
-- `exited` with no reason; one row per (source stage, target) with its projects.
with
with_next as (
    select
        stage,
        exited_on,
        exit_reason,
        stage_order,
        lead(stage) over (partition by project_id order by entered_on, stage_order) as next_stage
    from scoped_incubation_stage_rows($academic_year, $region, $establishment, $bank, $incubator)
),

links as (
    select
        stage as source,
        stage_order as source_order,
        case
            when exited_on is null then 'in_progress'
            when exit_reason = 'advanced' then coalesce(next_stage, 'next_missing')
            when exit_reason in ('graduated', 'abandoned') then exit_reason
            else 'exited'
        end as target
    from with_next
),

final as (
    select
        source,
        target,
        count(*) as n_projects,
        min(source_order) as source_order
    from links
    group by source, target
)

select * from final
order by source_order, target
