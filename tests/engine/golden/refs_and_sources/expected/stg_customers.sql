select id as customer_id, name from "dev"."main_raw"."raw_customers_v2"
