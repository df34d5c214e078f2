

select
    count(distinct amount) as filler_column
from "dev"."main"."orders"
having count(distinct amount) = 1

