-- Parenthesised branches, nested, with an ORDER BY and LIMIT on the whole.
((select id, amount from finance.invoices) union all (select id, -amount from finance.credit_notes))
union all
(select id, 0 from finance.voids)
order by id
limit 10
