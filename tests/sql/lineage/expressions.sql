-- Computed columns: functions, CASE, COALESCE, casts both ways, arithmetic, concatenation, literals.
select
    upper(trim(name)) as name_upper,
    case when status = 'active' and score > 10 then 'good' when status is null then 'unknown' else other_status end as rating,
    coalesce(nickname, first_name, 'n/a') as display_name,
    price::numeric(10, 2) as price,
    cast(qty as bigint) as qty,
    try_cast(code as integer) as code_number,
    price * qty - discount as total,
    first_name || ' ' || last_name as full_name,
    42 as answer,
    'fixed' as label,
    null as nothing,
    current_date as today,
    true as flag
from sales.lines
