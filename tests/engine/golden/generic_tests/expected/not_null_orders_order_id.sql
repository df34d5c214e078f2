

select order_id
from (select * from "dev"."main"."orders" where status != 'draft') dbt_subquery
where order_id is null

