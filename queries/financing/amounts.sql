-- The four amounts of the financing chain, each named once, in this order (one row):
-- asked_in_plans_mad (requested_amount_mad of each project's latest submitted plan — status
-- submitted, validated or rejected), asked_in_files_mad (per financing decision, pending
-- included: the requested_amount_mad of the plan sent to that bank), approved_mad (METRICS
-- amount_approved_mad) and disbursed_mad (METRICS amount_disbursed_mad).
with
latest_submitted_plans as (
    select project_id, requested_amount_mad
    from scoped_business_plans($academic_year, $region, $establishment, $bank, $incubator)
    where status in ('submitted', 'validated', 'rejected')
    qualify row_number() over (partition by project_id order by version desc) = 1
),

decisions_in_scope as (
    select decision, requested_amount_mad, amount_approved_mad, amount_disbursed_mad
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator)
),

final as (
    select
        (select coalesce(sum(requested_amount_mad), 0) from latest_submitted_plans) as asked_in_plans_mad,
        coalesce(sum(requested_amount_mad), 0) as asked_in_files_mad,
        coalesce(sum(amount_approved_mad) filter (where decision = 'approved'), 0) as approved_mad,
        coalesce(sum(amount_disbursed_mad), 0) as disbursed_mad
    from decisions_in_scope
)

select * from final
