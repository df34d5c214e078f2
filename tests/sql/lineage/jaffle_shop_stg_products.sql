-- dialect: duckdb
-- The compiled_code (dbt-duckdb) of model.jaffle_shop.stg_products in tests/fixtures/corpus/yu-iskw__dbt-artifacts-parser__jaffle-shop-schema-v1-to-v12/manifest/v12/jaffle_shop/manifest_1.12.json, verbatim below this header.
with

source as (

    select * from "jaffle_shop"."raw"."raw_products"

),

renamed as (

    select

        ----------  ids
        sku as product_id,

        ---------- text
        name as product_name,
        type as product_type,
        description as product_description,


        ---------- numerics
        (price / 100)::numeric(16, 2) as product_price,

        ---------- booleans
        coalesce(type = 'jaffle', false) as is_food_item,

        coalesce(type = 'beverage', false) as is_drink_item

    from source

)

select * from renamed