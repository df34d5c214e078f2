-- catalog: raw.listings: id, name, host_id, price
-- catalog: raw.hosts: id, name
-- select * and t.* expanded through the catalog; USING lists the shared column once.
select *
from raw.listings l
join raw.hosts h using (id)
