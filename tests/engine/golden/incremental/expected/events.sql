

select event_id, loaded_at
from "dev"."main"."events_src"
