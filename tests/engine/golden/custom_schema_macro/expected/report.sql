
select * from "dev"."main"."base" -- lands in "dev"."analytics"."daily_report"
