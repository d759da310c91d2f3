-- What became of the financed projects in scope (a project with an approved decision in scope,
-- narrowed to a branch, product and region when given: $focus_branch, $focus_product,
-- $focus_region): amount approved, the company created from it if any, its latest status
-- (latest follow-up, else the register) and jobs now; one row per financed project.
with
approvals as (
    select project_id, region_code, amount_approved_mad
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator)
    where decision = 'approved'
      and ($focus_branch is null or branch = $focus_branch)
      and ($focus_product is null or product = $focus_product)
      and ($focus_region is null or region_code = $focus_region)
),

financed as (
    select
        project_id,
        any_value(region_code) as region_code,
        count(*) as n_approved,
        sum(amount_approved_mad) as approved_mad
    from approvals
    group by project_id
),

companies_in_scope as (
    select company_id, project_id, legal_form, registered_on, jobs_created, status
    from scoped_companies($academic_year, $region, $establishment, $bank, $incubator)
),

latest_company_followups as (
    select
        cf.company_id,
        max(cf.as_of) as followup_on,
        arg_max(cf.status, cf.as_of) as status,
        arg_max(cf.employees, cf.as_of) as employees
    from scoped_company_followups($academic_year, $region, $establishment, $bank, $incubator) as cf
    group by cf.company_id
),

final as (
    select
        fi.project_id,
        pr.name as project_name,
        fi.region_code,
        r.name_fr as region_name_fr,
        r.name_ar as region_name_ar,
        fi.n_approved,
        fi.approved_mad,
        co.company_id,
        co.legal_form,
        co.registered_on,
        co.jobs_created,
        coalesce(lc.status, co.status) as company_status,
        lc.followup_on,
        case when coalesce(lc.status, co.status) = 'active'
             then coalesce(lc.employees, co.jobs_created) else 0 end as jobs_now
    from financed as fi
    join projects as pr on pr.project_id = fi.project_id
    left join regions as r on r.region_code = fi.region_code
    left join companies_in_scope as co on co.project_id = fi.project_id
    left join latest_company_followups as lc on lc.company_id = co.company_id
)

select * from final
order by approved_mad desc, project_id
