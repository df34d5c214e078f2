{{ config(alias='fct_orders') }}
-- this: {{ this }}
-- target: {{ target.name }} {{ target.type }} {{ target.database }}.{{ target.schema }}
select o.order_id, c.name, {{ adapter.quote('status') }}
from {{ ref('stg_orders') }} o
join {{ ref('jaffle', 'stg_customers') }} c on c.customer_id = o.customer_id
left join {{ ref('stg_countries') }} k on true
where o.status != 'returned'
