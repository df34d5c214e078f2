/* header comment with select and from inside */
with -- a comment after WITH
src /* name */ as ( -- the source
    select id /* the key */ , -- trailing
           name -- as fake_alias
    from raw.people /* , raw.other */
)
select
    id, -- the key
    /* computed */ upper( -- open
        name /* ) not a close */ ) as name_upper
from src -- end
