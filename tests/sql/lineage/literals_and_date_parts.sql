-- Typed literals, INTERVAL, EXTRACT and bare date parts are not columns.
select
    date '2024-01-01' as start_date,
    created_at + interval '1 day' as next_day,
    created_at - interval 3 hour as earlier,
    extract(year from created_at) as created_year,
    datediff(day, created_at, shipped_at) as days_to_ship,
    date_trunc('month', created_at) as created_month,
    timestamp '2024-01-01 00:00:00' at time zone 'UTC' as epoch_start
from shop.orders
