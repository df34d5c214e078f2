-- The compiled SQL of examples/airbnb models/relationships_dim_listings_cle_05e2397b186a7b9306fc747b3cc4ef83.sql (a data test; cowork compile), verbatim below this header.


with child as (
    select host_id as from_field
    from "airbnb"."main"."dim_listings_cleansed"
    where host_id is not null
),

parent as (
    select host_id as to_field
    from "airbnb"."main"."dim_hosts_cleansed"
)

select
    from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null

