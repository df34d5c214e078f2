select
    round(amount_cents / 100.0, 2) as amount,
    round(fee_cents / 100.0, 0) as fee,
    case when quantity = 0 then null else amount_cents / quantity end as unit_price,
    'order-' || order_id as order_key
from (select 1 as order_id, 1250 as amount_cents, 99 as fee_cents, 2 as quantity) raw
