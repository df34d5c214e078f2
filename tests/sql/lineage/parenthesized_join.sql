-- A parenthesised join in FROM, and parenthesised queries in a UNION.
select a.id, b.b_value, c.c_value
from (t_a a join t_b b on a.id = b.id)
left join t_c c on c.id = a.id
