-- DuckDB lets a select list use an alias defined earlier in it.
with t as (select price, qty from shop.lines)
select price * qty as subtotal, subtotal * 1.2 as total_with_tax
from t
