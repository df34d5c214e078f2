-- Columns qualified by alias, by table name, by schema.table and by database.schema.table.
select
    orders.order_id,
    public.orders.customer_id,
    shop.public.orders.ordered_at,
    p.amount
from shop.public.orders
join shop.public.payments p on p.order_id = orders.order_id
