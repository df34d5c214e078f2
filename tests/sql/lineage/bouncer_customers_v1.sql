-- dialect: duckdb
-- The compiled_code (dbt-duckdb) of model.dbt_bouncer_test_project.customers.v1 in tests/fixtures/corpus/godatadriven__dbt-bouncer__fixtures-fusion-2.0-beta-and-1.12/dbt_112/manifest.json, verbatim below this header.


with
    customers as (select * from "dbt"."main_stg_crm"."stg_customers"),

    orders as (select * from "dbt"."main_stg_crm"."stg_orders"),

    payments as (select * from "dbt"."main_stg_payments"."stg_payments"),

    customer_orders as (

        select
            customer_id,

            min(order_date) as first_order_date,
            max(order_date) as most_recent_order_date,
            count(order_id) as number_of_orders
        from orders

        group by customer_id

    ),

    customer_payments as (

        select orders.customer_id, sum(amount) as total_amount

        from payments

        left join orders on payments.order_id = orders.order_id

        group by orders.customer_id

    ),

    final as (

        select
            customers.customer_id,
            customers.first_name,
            customers.last_name,
            customer_orders.first_order_date,
            customer_orders.most_recent_order_date,
            customer_orders.number_of_orders,
            if(
                customer_orders.number_of_orders > 5, true, false
            ) as is_recurring_customer,
            coalesce(customer_payments.total_amount, 0) as customer_lifetime_value

        from customers

        left join customer_orders on customers.customer_id = customer_orders.customer_id

        left join
            customer_payments on customers.customer_id = customer_payments.customer_id

    )

select *
from final