{{ config(materialized='table') }}

with l as (
    select * from {{ ref('dim_listings_cleansed') }}
),
h as (
    select * from {{ ref('dim_hosts_cleansed') }}
)

select
    l.listing_id,
    l.listing_name,
    l.room_type,
    l.minimum_nights,
    l.price,
    l.price > {{ var('premium_price_threshold') }} as is_premium,
    l.host_id,
    h.host_name,
    h.is_superhost as host_is_superhost,
    l.created_at,
    greatest(l.updated_at, h.updated_at) as updated_at
from l
left join h on h.host_id = l.host_id
