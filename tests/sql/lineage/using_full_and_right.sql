-- catalog: a: id, a_value
-- catalog: b: id, b_value
-- catalog: c: key, c_value
select id, key, *
from a
full join b using (id)
right join c using (key)
