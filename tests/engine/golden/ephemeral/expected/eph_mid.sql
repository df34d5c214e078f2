with __dbt__cte__eph_base as (
select 1 as id, 'a' as name
)
select * from __dbt__cte__eph_base where id > 0
