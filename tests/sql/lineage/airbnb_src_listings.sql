-- The compiled SQL of examples/airbnb models/src/src_listings.sql (cowork compile), verbatim below this header.
-- The raw tables are loaded by this project's seeds; the hint makes dbt build them first.
-- depends_on: "airbnb"."main_raw"."raw_listings"
with raw_listings as (
    select * from "airbnb"."main_raw"."raw_listings"
)

select
    id as listing_id,
    name as listing_name,
    listing_url,
    room_type,
    minimum_nights,
    host_id,
    price as price_str,
    created_at,
    updated_at
from raw_listings