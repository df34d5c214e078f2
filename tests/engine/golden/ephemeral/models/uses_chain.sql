select m.*, b.name as base_name
from {{ ref('eph_mid') }} m
join {{ ref('eph_base') }} b using (id)
