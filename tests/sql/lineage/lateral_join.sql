-- dialect: postgres
-- A LATERAL subquery sees the relations before it.
select c.customer_id, last_order.ordered_at
from crm.customers c
cross join lateral (
    select o.ordered_at from shop.orders o where o.customer_id = c.customer_id order by o.ordered_at desc limit 1
) last_order
