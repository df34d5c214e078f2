-- Unqualified columns with several relations whose columns are unknown: the first is assumed, with a note.
select id, name, amount
from crm.customers c
join shop.payments p on p.customer_id = c.id
