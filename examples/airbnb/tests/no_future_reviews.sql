-- Reviews dated in the future mean the export's clock or time zone is wrong.
select *
from {{ ref('fct_reviews') }}
where review_date > current_date
