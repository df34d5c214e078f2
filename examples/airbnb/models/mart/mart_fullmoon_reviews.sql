with fct_reviews as (
    select * from {{ ref('fct_reviews') }}
),
full_moon_dates as (
    select * from {{ ref('seed_full_moon_dates') }}
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
