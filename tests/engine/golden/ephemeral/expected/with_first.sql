
with __dbt__cte__eph_base as (
select 1 as id, 'a' as name
), __dbt__cte__eph_mid as (
select * from __dbt__cte__eph_base where id > 0
),  local as (
    select * from __dbt__cte__eph_mid
)
select * from local
