-- The 12 regions with whether the PIE runs there (has a cohort); one row per region.
select
    r.region_code,
    r.name_fr,
    r.name_ar,
    exists (
        select 1
        from cohorts as c
        join establishments as e on e.establishment_id = c.establishment_id
        where e.region_code = r.region_code
    ) as has_cohorts
from regions as r
order by r.region_code
