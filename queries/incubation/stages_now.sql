-- Where the incubated projects in scope are now: each project's latest stage row (latest
-- entered_on) gives its status, the stage when still open, else how it ended (advanced with
-- no later row, graduated, abandoned, or exited with no reason); one row per status.
with
latest_rows as (
    select
        project_id,
        status_now,
        exited_on is null as is_open
    from scoped_latest_incubation_stages($academic_year, $region, $establishment, $bank, $incubator)
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
