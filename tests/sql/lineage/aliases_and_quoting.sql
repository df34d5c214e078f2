-- Aliases with and without AS, quoted identifiers (with "" inside), quoted aliases, mixed case.
select
    c.id customer_id,
    c."First Name" as first_name,
    "c"."Last ""Nick"" Name" "last name",
    C.EMAIL as Email,
    c.city
from "crm"."public"."Customers" as c
