

select
    order_id as unique_field,
    count(*) as n_records

from (select * from "dev"."main"."orders" where ordered_at > '2024-01-01') dbt_subquery
where order_id is not null
group by order_id
having count(*) > 1

