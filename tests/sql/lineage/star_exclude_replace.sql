-- catalog: shop.items: id, name, price, cost, internal_note
-- DuckDB star modifiers: EXCLUDE drops columns, REPLACE recomputes one, RENAME renames one.
select * exclude (internal_note) replace (round(price, 2) as price) rename (name as item_name)
from shop.items
