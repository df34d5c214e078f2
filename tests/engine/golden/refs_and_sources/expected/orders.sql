
-- this: "dev"."main_marts"."fct_orders"
-- target: dev duckdb dev.main
select o.order_id, c.name, "status"
from "dev"."main"."stg_orders" o
join "dev"."main"."stg_customers" c on c.customer_id = o.customer_id
left join "dev"."main"."countries" k on true
where o.status != 'returned'
