-- Several CTEs, each reading the one before; sources are base relations, never CTE names.
with raw as (
    select id, amount_cents, status, created_at from "shop"."raw"."payments"
),
cleaned as (
    select id as payment_id, amount_cents / 100.0 as amount, lower(status) as status, created_at
    from raw
),
recent as (
    select payment_id, amount, status from cleaned where created_at > now() - interval '30 days'
)
select payment_id, amount, status as payment_status from recent
