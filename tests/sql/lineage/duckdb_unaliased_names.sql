-- DuckDB names columns without an alias by their expression (here as written).
select coalesce(a, b), a::text, a + b, t.a
from t
