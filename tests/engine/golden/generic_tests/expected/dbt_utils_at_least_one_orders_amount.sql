

select *
from (
    select
        count(amount) as filler_column
    from "dev"."main"."orders"
    having count(amount) = 0
) validation_errors

