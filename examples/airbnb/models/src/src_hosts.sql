-- The raw tables are loaded by this project's seeds; the hint makes dbt build them first.
-- depends_on: {{ ref('raw_hosts') }}
with raw_hosts as (
    select * from {{ source('airbnb', 'hosts') }}
)

select
    id as host_id,
    name as host_name,
    is_superhost,
    created_at,
    updated_at
from raw_hosts
