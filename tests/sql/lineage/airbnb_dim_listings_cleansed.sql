-- The compiled SQL of examples/airbnb models/dim/dim_listings_cleansed.sql (cowork compile), verbatim below this header.
with src_listings as (
    select * from "airbnb"."main"."src_listings"
)

select
    listing_id,
    listing_name,
    room_type,
    minimum_nights,
    host_id,
    cast(replace(price_str, '$', '') as numeric(10, 2)) as price,
    created_at,
    updated_at
from src_listings