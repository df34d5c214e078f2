-- Subqueries in FROM with aliases (AS and without), nested two deep.
select x.customer_id, x.total, y.max_total
from (
    select customer_id, sum(amount) as total
    from (select customer_id, amount from shop.payments where amount > 0) as positive
    group by customer_id
) as x
cross join (select max(amount) as max_total from shop.payments) y
