-- Why banks said no: rejected decisions in scope per reason (null = no reason given), most
-- frequent first; one row per reason.
with
rejected as (
    select fd.rejection_reason
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator) as fd
    where fd.decision = 'rejected'
),

final as (
    select
        rejection_reason,
        count(*) as n_decisions,
        count(*) / sum(count(*)) over () as share
    from rejected
    group by rejection_reason
)

select * from final
order by n_decisions desc, rejection_reason nulls last
