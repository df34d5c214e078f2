select count(*) as n from {{ ref('report') }}
