-- PIVOT: the columns it makes are not followed; they come from all columns of what it pivots.
select *
from shop.sales pivot (sum(amount) for quarter in ('Q1', 'Q2')) as p
