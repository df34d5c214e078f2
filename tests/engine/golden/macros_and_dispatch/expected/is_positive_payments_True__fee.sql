
select *
from "dev"."main"."payments"
where fee < 0
