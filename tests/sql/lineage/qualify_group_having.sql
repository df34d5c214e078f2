-- QUALIFY (DuckDB), GROUP BY ALL, HAVING: ignored for lineage.
select customer_id, count(*) as orders, max(amount) as biggest
from shop.orders
group by all
having count(*) > 1
qualify row_number() over (partition by customer_id order by biggest desc) = 1
