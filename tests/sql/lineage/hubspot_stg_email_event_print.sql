-- dialect: postgres
-- The compiled_code (dbt-postgres) of model.hubspot_source.stg_hubspot__email_event_print in tests/fixtures/corpus/fivetran__dbt_hubspot__package-docs-manifest-v1-to-v12/2024-07-24_dbt-1.8.3/manifest.json, verbatim below this header.


with base as (

    select *
    from "postgres"."zz_hubspot_stg_hubspot"."stg_hubspot__email_event_print_tmp"

), macro as (

    select
        
    
    
    _fivetran_synced
    
 as 
    
    _fivetran_synced
    
, 
    
    
    browser
    
 as 
    
    browser
    
, 
    
    
    id
    
 as 
    
    id
    
, 
    
    
    ip_address
    
 as 
    
    ip_address
    
, 
    
    
    location
    
 as 
    
    location
    
, 
    
    
    user_agent
    
 as 
    
    user_agent
    



    from base

), fields as (

    select
        cast(_fivetran_synced as timestamp) as _fivetran_synced,
        browser,
        id as event_id,
        ip_address,
        location as geo_location,
        user_agent
    from macro
    
)

select *
from fields