-- USING: the merged column comes from the left (INNER, LEFT), the right (RIGHT), or both (FULL).
select id, l.l_only, r.r_only
from lhs l
left join rhs r using (id)
