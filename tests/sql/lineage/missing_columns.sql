-- A qualified column a CTE does not have, and a qualifier that names nothing: notes, no sources.
with c as (select id, name from crm.customers)
select c.id, c.email, z.id as zid
from c
