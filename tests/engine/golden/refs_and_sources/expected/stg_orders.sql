select
    id as order_id,
    customer_id,
    status
from "dev"."main_raw"."orders"
