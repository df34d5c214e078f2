-- The compiled SQL of examples/airbnb tests/consistent_created_at.sql (a data test; cowork compile), verbatim below this header.
-- A review cannot be older than the listing it is about.
select
    r.review_id,
    r.review_date,
    l.created_at as listing_created_at
from "airbnb"."main"."fct_reviews" r
join "airbnb"."main"."dim_listings_cleansed" l on l.listing_id = r.listing_id
where r.review_date < cast(l.created_at as date)