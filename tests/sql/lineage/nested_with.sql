-- A WITH inside a subquery in FROM, and a CTE of the inner WITH shadowing an outer one.
with orders as (select order_id, customer_id from shop.orders)
select o.order_id, s.total
from orders o
join (
    with orders as (select order_id, amount from shop.order_lines)
    select order_id, sum(amount) as total from orders group by order_id
) s on s.order_id = o.order_id
