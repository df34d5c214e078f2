

select
    *
from "dev"."main"."orders"

where not(amount >= 0)

