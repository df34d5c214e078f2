{{ config(alias='daily_report') }}
select * from {{ ref('base') }} -- lands in {{ this }}
