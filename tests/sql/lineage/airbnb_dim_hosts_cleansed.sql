-- The compiled SQL of examples/airbnb models/dim/dim_hosts_cleansed.sql (cowork compile), verbatim below this header.
with src_hosts as (
    select * from "airbnb"."main"."src_hosts"
)

select
    host_id,
    coalesce(host_name, 'Anonymous') as host_name,
    is_superhost,
    created_at,
    updated_at
from src_hosts