-- Table functions: their columns are computed from their arguments, with a note.
select o.order_id, tag, g.n
from shop.orders o
cross join unnest(o.tags) as u(tag)
cross join generate_series(1, o.quantity) as g(n)
