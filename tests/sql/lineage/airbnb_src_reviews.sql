-- The compiled SQL of examples/airbnb models/src/src_reviews.sql (cowork compile), verbatim below this header.
-- The raw tables are loaded by this project's seeds; the hint makes dbt build them first.
-- depends_on: "airbnb"."main_raw"."raw_reviews"
with raw_reviews as (
    select * from "airbnb"."main_raw"."raw_reviews"
)

select
    listing_id,
    date as review_date,
    reviewer_name,
    comments as review_text,
    sentiment as review_sentiment
from raw_reviews