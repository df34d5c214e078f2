

with validation as (
    select
        sum(case when amount is null then 0 else 1 end) / cast(count(*) as numeric) as not_null_proportion
    from "dev"."main"."orders"
),

validation_errors as (
    select
        not_null_proportion
    from validation
    where not_null_proportion < 0.95 or not_null_proportion > 1.0
)

select *
from validation_errors

