-- A UNION of stars over unknown relations: kept as `*`, and a name looked up through it is matched by name.
with combined as (
    select * from stage.medical_claims
    union all
    select * from stage.pharmacy_claims
)
select claim_id, paid_amount * 2 as doubled
from combined
