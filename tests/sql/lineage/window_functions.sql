-- Window functions: PARTITION BY and ORDER BY choose rows and are not sources of the value.
select
    order_id,
    row_number() over (partition by customer_id order by ordered_at desc) as order_rank,
    lag(amount) over (partition by customer_id order by ordered_at) as previous_amount,
    sum(amount) over w as running_total,
    count(*) filter (where status = 'paid') as paid_orders,
    percentile_cont(0.5) within group (order by amount) as median_amount
from shop.orders
window w as (partition by customer_id order by ordered_at rows between unbounded preceding and current row)
group by order_id, customer_id, ordered_at, amount
