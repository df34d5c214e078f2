-- dbt inlines ephemeral models as __dbt__cte__ CTEs: they are followed like any CTE.
with __dbt__cte__stg_claims as (
select
    claim_id,
    patient_id,
    paid_amount,
    '2024-02-19' as tuva_last_run
from dev.claims.medical_claim
), summary as (
    select patient_id, sum(paid_amount) as total_paid, max(tuva_last_run) as run_at
    from __dbt__cte__stg_claims
    group by patient_id
)
select patient_id, total_paid, run_at from summary
