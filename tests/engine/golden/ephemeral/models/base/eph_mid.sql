select * from {{ ref('eph_base') }} where id > 0
