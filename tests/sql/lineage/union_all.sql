-- UNION ALL: names from the first branch, sources merged by position; direct only if direct in every branch.
select id, email, 'web' as channel from web.signups
union all
select user_id, lower(email_address), 'app' from app.registrations
union all
select id, email, channel from partner.leads
