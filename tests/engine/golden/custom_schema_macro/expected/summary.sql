select count(*) as n from "dev"."analytics"."daily_report"
