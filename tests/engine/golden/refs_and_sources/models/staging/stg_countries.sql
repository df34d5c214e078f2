{{ config(alias='countries') }}
select * from {{ ref('country_codes') }}
