-- The raw tables are loaded by this project's seeds; the hint makes dbt build them first.
-- depends_on: {{ ref('raw_reviews') }}
with raw_reviews as (
    select * from {{ source('airbnb', 'reviews') }}
)

select
    listing_id,
    date as review_date,
    reviewer_name,
    comments as review_text,
    sentiment as review_sentiment
from raw_reviews
