-- The funnel's "project members" step: distinct participants who are members of a project in
-- scope; one row.
select count(distinct participant_id) as project_members
from scoped_project_members($academic_year, $region, $establishment, $bank, $incubator)
