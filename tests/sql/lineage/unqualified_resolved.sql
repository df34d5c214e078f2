-- Unqualified columns resolved without a note: a CTE lists its columns, so a name it lacks must come from the
-- other relation.
with m as (select claim_id, paid_amount from dev.claims.medical_claim)
select claim_id, paid_amount, encounter_id
from dev.claims.encounters e
join m on m.claim_id = e.claim_id
