-- dialect: postgres
-- PostgreSQL names columns without an alias after the function, the cast column, CASE, or ?column?.
select
    coalesce(a, b),
    a::text,
    cast(b as int),
    case when a > 0 then 1 else 0 end,
    a + b,
    t.a
from t
