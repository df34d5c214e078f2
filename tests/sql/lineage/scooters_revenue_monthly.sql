-- dialect: postgres
-- The compiled_code (dbt-postgres) of model.dbt_scooters.revenue_monthly in tests/fixtures/corpus/Vitalyastiy__dbt-scooters__v12-build-warn-noop/manifest.json, verbatim below this header.
select
    "month",
    count(*) as "users",
    percentile_cont(0.5) within group (
        order by revenue_total
    ) as revenue_median,
    percentile_cont(0.95) within group (
        order by revenue_total
    ) as revenue_95,
    max(revenue_total) as revenue_max,
    sum(revenue_total) as revenue_total
from
    "dev_m0z9"."dbt"."revenue_user_monthly"
group by
    1