-- The batches that count as a report (docs/REPORTING.md): one row per batch accepted at once
-- (a trusted partner or a manager) or submitted then approved; submitted_at is when it was
-- made (started_at), not when it was approved. Grain: one row per batch.
with batches as (
    select b.batch_id, b.user_name, b.started_at, b.outcome
    from import_batches as b
    where not b.dry_run
      and b.outcome in ('accepted', 'approved')
      and b.user_name is not null
),

final as (
    select batch_id, user_name, started_at as submitted_at, outcome
    from batches
)

select * from final
order by submitted_at, batch_id
