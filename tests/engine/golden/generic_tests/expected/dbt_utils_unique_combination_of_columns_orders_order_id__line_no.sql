

with validation_errors as (

    select
        order_id, line_no
    from "dev"."main"."orders"
    group by order_id, line_no
    having count(*) > 1

)

select *
from validation_errors

