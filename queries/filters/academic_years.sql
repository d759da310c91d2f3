-- Academic years that have a cohort, newest first; one row per year.
select distinct academic_year
from cohorts
order by academic_year desc
