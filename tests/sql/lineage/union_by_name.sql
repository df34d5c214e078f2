-- DuckDB's UNION BY NAME merges columns by name, not position.
select id, email from web.users
union all by name
select email, id, signup_source from app.users
