-- Academic years in scope that have a cohort or a target (a year may have targets before its
-- first cohort), newest first; one row per year.
with
years_seen as (
    select academic_year
    from scoped_cohorts($academic_year, $region, $establishment)
    union
    select academic_year
    from scoped_targets($academic_year, $region, $establishment, $bank, $incubator)
)

select academic_year
from years_seen
order by academic_year desc
