with __dbt__cte__eph_base as (
select 1 as id, 'a' as name
), __dbt__cte__eph_mid as (
select * from __dbt__cte__eph_base where id > 0
)
select m.*, b.name as base_name
from __dbt__cte__eph_mid m
join __dbt__cte__eph_base b using (id)
