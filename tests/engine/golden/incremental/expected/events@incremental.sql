

select event_id, loaded_at
from "dev"."main"."events_src"

where loaded_at > (select max(loaded_at) from "dev"."main"."events")
