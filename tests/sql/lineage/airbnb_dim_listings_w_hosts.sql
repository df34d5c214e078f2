-- The compiled SQL of examples/airbnb models/dim/dim_listings_w_hosts.sql (cowork compile), verbatim below this header.


with l as (
    select * from "airbnb"."main"."dim_listings_cleansed"
),
h as (
    select * from "airbnb"."main"."dim_hosts_cleansed"
)

select
    l.listing_id,
    l.listing_name,
    l.room_type,
    l.minimum_nights,
    l.price,
    l.price > 250 as is_premium,
    l.host_id,
    h.host_name,
    h.is_superhost as host_is_superhost,
    l.created_at,
    greatest(l.updated_at, h.updated_at) as updated_at
from l
left join h on h.host_id = l.host_id