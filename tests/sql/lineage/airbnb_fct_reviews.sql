-- The compiled SQL of examples/airbnb models/fct/fct_reviews.sql (cowork compile), verbatim below this header.


with src_reviews as (
    select * from "airbnb"."main"."src_reviews"
)

select
    md5(cast(listing_id as varchar) || '-' || cast(review_date as varchar) || '-' || reviewer_name) as review_id,
    listing_id,
    review_date,
    reviewer_name,
    review_text,
    review_sentiment
from src_reviews
where review_text is not null
