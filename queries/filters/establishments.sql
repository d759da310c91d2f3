-- Establishments that have a cohort, in the chosen region (all regions when $region is null);
-- one row per establishment, by name.
select
    e.establishment_id,
    e.name,
    e.region_code,
    e.city
from establishments as e
where ($region is null or e.region_code = $region)
  and e.establishment_id in (select establishment_id from cohorts)
order by e.name
