-- Banks with at least one decision in scope, most decisions first; one row per bank (the
-- choices of the bank selector).
with
decisions_in_scope as (
    select fd.bank
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator) as fd
),

final as (
    select
        bank,
        count(*) as n_decisions
    from decisions_in_scope
    group by bank
)

select * from final
order by n_decisions desc, bank
