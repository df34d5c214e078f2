-- Subqueries in expressions: scalar, EXISTS and IN; their select lists are followed, with a note.
select
    c.customer_id,
    (select max(o.ordered_at) from shop.orders o where o.customer_id = c.customer_id) as last_order_at,
    exists (select 1 from shop.refunds r where r.customer_id = c.customer_id) as has_refund,
    case when c.region in (select region from ref.regions where active) then c.region else 'other' end as region
from shop.customers c
