select
    id as order_id,
    customer_id,
    status
from {{ source('raw', 'orders') }}
