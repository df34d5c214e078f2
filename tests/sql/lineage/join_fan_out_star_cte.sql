-- select * through CTEs over unknown relations: named columns resolve to the relation under the star, no note.
with l as (select * from "airbnb"."main"."dim_listings_cleansed"),
h as (select * from "airbnb"."main"."dim_hosts_cleansed")
select l.listing_id, h.host_name, l.*
from l
left join h on h.host_id = l.host_id
