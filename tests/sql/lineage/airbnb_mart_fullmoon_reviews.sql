-- The compiled SQL of examples/airbnb models/mart/mart_fullmoon_reviews.sql (cowork compile), verbatim below this header.
with fct_reviews as (
    select * from "airbnb"."main"."fct_reviews"
),
full_moon_dates as (
    select * from "airbnb"."main_raw"."seed_full_moon_dates"
)

select
    r.review_id,
    r.listing_id,
    r.review_date,
    r.review_sentiment,
    case
        when fm.full_moon_date is null then 'not full moon'
        else 'full moon'
    end as is_full_moon
from fct_reviews r
left join full_moon_dates fm
    on r.review_date = cast(fm.full_moon_date + interval '1 day' as date)