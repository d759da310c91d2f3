-- Where the incubated projects in scope are now: each project's latest stage row (latest
-- entered_on) gives its status, the stage when still open, else how it ended (advanced with
-- no later row, graduated, abandoned, or exited with no reason); one row per status.
with
stage_rows as (
    select
        s.project_id,
        s.stage,
        s.entered_on,
        s.exited_on,
        s.exit_reason,
        incubation_stage_order(s.stage) as stage_order
    from scoped_incubation_stages($academic_year, $region, $establishment, $bank, $incubator) as s
),

latest_rows as (
    select
        project_id,
        case when exited_on is null then stage else coalesce(exit_reason, 'exited') end as status_now,
        exited_on is null as is_open
    from stage_rows
    qualify row_number() over (partition by project_id order by entered_on desc, stage_order desc) = 1
),

final as (
    select
        status_now,
        bool_or(is_open) as is_open,
        count(*) as n_projects,
        case status_now
            when 'pre_incubation' then 1 when 'incubation' then 2
            when 'acceleration' then 3 when 'post_creation' then 4
            when 'graduated' then 5 when 'abandoned' then 6 when 'advanced' then 7 else 8
        end as status_order
    from latest_rows
    group by status_now
)

select * from final
order by status_order
