-- DuckDB's FROM-first syntax, with and without a select list.
with x as (from shop.orders select order_id, amount * 2 as doubled)
from x
