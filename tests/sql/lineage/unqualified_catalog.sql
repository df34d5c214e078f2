-- catalog: crm.customers: id, name, region
-- catalog: shop.payments: payment_id, customer_id, amount
-- With the catalog, unqualified columns resolve to the relation that has them; a name no relation has is noted.
select id, name, amount, region, missing_column
from crm.customers c
join shop.payments p on p.customer_id = c.id
