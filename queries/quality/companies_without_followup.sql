-- Active companies registered more than $days days before $as_of with no follow-up in the last
-- $days days (what became of them is unknown); one row per company, oldest news first.
with
latest as (
    select company_id, max(as_of) as last_followup_on
    from company_followups
    group by company_id
),

final as (
    select
        co.company_id,
        co.project_id,
        co.region_code,
        co.registered_on,
        l.last_followup_on,
        $as_of - coalesce(l.last_followup_on, co.registered_on) as days_without_news
    from scoped_companies($academic_year, $region, $establishment, $bank, $incubator) as co
    left join latest as l on l.company_id = co.company_id
    where co.status = 'active'
      and co.registered_on < $as_of - cast($days as integer)
      and coalesce(l.last_followup_on, co.registered_on) < $as_of - cast($days as integer)
)

select * from final
order by days_without_news desc, company_id
