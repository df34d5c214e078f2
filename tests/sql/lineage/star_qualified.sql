-- catalog: app.users: user_id, email
-- t.* of a CTE, of a catalogued table and of an unknown one, mixed with plain columns.
with recent as (select user_id, max(seen_at) as last_seen from app.events group by user_id)
select u.*, r.*, s.*, r.last_seen as seen
from app.users u
join recent r on r.user_id = u.user_id
left join app.sessions s on s.user_id = u.user_id
