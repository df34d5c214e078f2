-- The compiled SQL of examples/airbnb tests/no_future_reviews.sql (a data test; cowork compile), verbatim below this header.
-- Reviews dated in the future mean the export's clock or time zone is wrong.
select *
from "airbnb"."main"."fct_reviews"
where review_date > current_date