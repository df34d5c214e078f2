-- dialect: postgres
-- DISTINCT ON, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET and FOR UPDATE do not change where values come from.
select distinct on (customer_id) customer_id, ordered_at, amount
from shop.orders
where status <> 'cancelled'
order by customer_id, ordered_at desc
limit 100 offset 10
