select
    {{ cents_to_dollars('amount_cents') }} as amount,
    {{ cents_to_dollars('fee_cents', scale=0) }} as fee,
    {{ safe_divide('amount_cents', 'quantity') }} as unit_price,
    {{ concat_pair("'order-'", 'order_id') }} as order_key
from (select 1 as order_id, 1250 as amount_cents, 99 as fee_cents, 2 as quantity) raw
