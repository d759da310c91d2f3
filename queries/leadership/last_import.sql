-- When the data last changed by import: the finish time of the latest accepted import batch
-- (null when nothing was ever imported); one row.
select max(finished_at) as last_import_at
from import_batches
where outcome = 'accepted'
