-- The decisions in scope, narrowed to a branch, product and region when given
-- ($focus_branch, $focus_product, $focus_region; null = any), with the plan, the project and
-- the loan's latest follow-up; one row per decision, latest decision first.
with
decisions_in_scope as (
    select *
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator)
    where ($focus_branch is null or branch = $focus_branch)
      and ($focus_product is null or product = $focus_product)
      and ($focus_region is null or region_code = $focus_region)
),

final as (
    select
        fd.decision_id,
        fd.bank,
        fd.branch,
        fd.product,
        fd.decision,
        fd.project_id,
        pr.name as project_name,
        fd.plan_id,
        bp.version as plan_version,
        fd.region_code,
        r.name_fr as region_name_fr,
        r.name_ar as region_name_ar,
        e.name as establishment_name,
        fd.plan_submitted_on,
        fd.decided_on,
        fd.days_to_decision,
        fd.requested_amount_mad,
        fd.amount_approved_mad,
        fd.disbursed_on,
        fd.amount_disbursed_mad,
        fd.rejection_reason,
        lf.followup_on,
        lf.outstanding_mad,
        lf.days_past_due,
        lf.loan_status
    from decisions_in_scope as fd
    join projects as pr on pr.project_id = fd.project_id
    join business_plans as bp on bp.plan_id = fd.plan_id
    join establishments as e on e.establishment_id = fd.establishment_id
    left join regions as r on r.region_code = fd.region_code
    left join scoped_latest_loan_followups($academic_year, $region, $establishment, $bank, $incubator, null) as lf
      on lf.decision_id = fd.decision_id
)

select * from final
order by decided_on desc nulls first, decision_id
