

select id
from "dev"."raw_data"."payments"
where id is null

