-- Cohorts in scope (an establishment account: its own), for its import template's drop-down
-- list of cohort ids; one row per cohort, newest year first.
select
    c.cohort_id,
    c.academic_year,
    c.establishment_id
from scoped_cohorts($academic_year, $region, $establishment) as c
order by c.academic_year desc, c.cohort_id
