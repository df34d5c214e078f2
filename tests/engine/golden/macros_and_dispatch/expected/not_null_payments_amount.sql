
    select * from "dev"."main"."payments" where amount is null -- the project's not_null
