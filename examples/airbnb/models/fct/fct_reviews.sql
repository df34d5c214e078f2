{{
  config(
    materialized='incremental',
    unique_key='review_id',
    on_schema_change='fail'
  )
}}

with src_reviews as (
    select * from {{ ref('src_reviews') }}
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
{% if is_incremental() %}
  and review_date > (select max(review_date) from {{ this }})
{% endif %}
