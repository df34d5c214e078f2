
select *
from "dev"."main"."payments"
where amount <= 0
