
select * from "dev"."main_raw"."country_codes"
