with src_listings as (
    select * from {{ ref('src_listings') }}
)

select
    listing_id,
    listing_name,
    room_type,
    minimum_nights,
    host_id,
    {{ clean_price('price_str') }} as price,
    created_at,
    updated_at
from src_listings
