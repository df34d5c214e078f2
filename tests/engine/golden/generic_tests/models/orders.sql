select 1 as order_id, 1 as line_no, 1 as customer_id, 'placed' as status, 1 as status_code,
       10.0 as amount, timestamp '2024-01-01 00:00:00' as ordered_at
