-- VALUES as a relation with column aliases: literals, no sources.
select v.code, v.label, t.amount
from (values (1, 'one'), (2, 'two')) as v(code, label)
join facts t on t.code = v.code
