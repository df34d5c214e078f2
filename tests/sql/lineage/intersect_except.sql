-- INTERSECT merges like UNION; EXCEPT takes values from its left side only.
select customer_id from crm.customers
intersect
select customer_id from shop.orders
except
select customer_id from crm.blocked
