-- The compiled SQL of examples/airbnb models/src/src_hosts.sql (cowork compile), verbatim below this header.
-- The raw tables are loaded by this project's seeds; the hint makes dbt build them first.
-- depends_on: "airbnb"."main_raw"."raw_hosts"
with raw_hosts as (
    select * from "airbnb"."main_raw"."raw_hosts"
)

select
    id as host_id,
    name as host_name,
    is_superhost,
    created_at,
    updated_at
from raw_hosts