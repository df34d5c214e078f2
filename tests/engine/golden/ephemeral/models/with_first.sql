{{ config(materialized='table') }}
with local as (
    select * from {{ ref('eph_mid') }}
)
select * from local
