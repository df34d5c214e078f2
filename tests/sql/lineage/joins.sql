-- Every join kind with ON; the conditions are not sources.
select
    a.id,
    b.b_value,
    c.c_value,
    d.d_value,
    e.e_value
from t_a a
inner join t_b b on b.id = a.id and b.kind = 'x'
left outer join t_c c on c.id = a.id
right join t_d as d on d.id = a.id
full outer join t_e e on e.id = a.id
cross join t_f
