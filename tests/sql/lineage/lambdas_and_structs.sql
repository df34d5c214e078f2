-- DuckDB lambdas, struct fields, lists and JSON operators.
select
    list_transform(o.items, x -> x.price * x.qty) as line_totals,
    o.address.city as city,
    [o.first_item, o.second_item] as two_items,
    {'id': o.id, 'total': o.total} as summary,
    o.payload ->> 'channel' as channel
from shop.orders o
