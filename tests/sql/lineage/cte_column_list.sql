-- A CTE with a column list renames its columns by position.
with renamed(customer, spend) as (
    select customer_id, sum(amount) from shop.payments group by customer_id
)
select customer, spend from renamed
