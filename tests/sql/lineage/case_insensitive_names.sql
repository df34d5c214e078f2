-- CTE and column names match ASCII case-insensitively, quoted or not.
with "Orders" as (select ID, Amount from Shop.Orders)
select o.id, O.AMOUNT as amount, "orders".id as again
from orders o, "Orders"
