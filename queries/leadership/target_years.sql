-- Academic years in scope that have at least one target (targets are set per region, so an
-- establishment filter leaves none), newest first; one row per year.
with
years_with_targets as (
    select distinct academic_year
    from scoped_targets($academic_year, $region, $establishment, $bank, $incubator)
),

final as (
    select academic_year
    from years_with_targets
)

select * from final
order by academic_year desc
