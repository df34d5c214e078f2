

with recency as (

    select
        max(ordered_at) as most_recent
    from "dev"."main"."orders"

)

select
    most_recent,
    current_timestamp - interval '3 day' as threshold
from recency
where most_recent < current_timestamp - interval '3 day' or most_recent is null

