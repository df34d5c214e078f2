-- dialect: postgres
-- The compiled_code (dbt-postgres) of model.hubspot.int_hubspot__deals_enhanced in tests/fixtures/corpus/fivetran__dbt_hubspot__package-docs-manifest-v1-to-v12/2024-07-24_dbt-1.8.3/manifest.json, verbatim below this header.


with deals as (

    select *
    from "postgres"."zz_hubspot_stg_hubspot"."stg_hubspot__deal"


), merged_deals as (

    select *
    from "postgres"."zz_hubspot_stg_hubspot"."stg_hubspot__merged_deal"

), aggregate_merged_deals as (

    select
        deal_id,
        
    array_agg(merged_deal_id)
 as merged_deal_ids
    from merged_deals
    group by 1


), pipelines as (

    select *
    from "postgres"."zz_hubspot_stg_hubspot"."stg_hubspot__deal_pipeline"

), pipeline_stages as (

    select *
    from "postgres"."zz_hubspot_stg_hubspot"."stg_hubspot__deal_pipeline_stage"


), owners as (

    select *
    from "postgres"."zz_hubspot_stg_hubspot"."stg_hubspot__owner"


), deal_fields_joined as (

    select 
        deals.*,

        
        aggregate_merged_deals.merged_deal_ids,
        

        coalesce(pipelines.is_deal_pipeline_deleted, false) as is_deal_pipeline_deleted,
        pipelines.pipeline_label,
        pipelines.is_active as is_pipeline_active,
        coalesce(pipeline_stages.is_deal_pipeline_stage_deleted, false) as is_deal_pipeline_stage_deleted,
        pipelines.deal_pipeline_created_at,
        pipelines.deal_pipeline_updated_at,
        pipeline_stages.pipeline_stage_label

        
        , owners.email_address as owner_email_address
        , owners.full_name as owner_full_name
        

    from deals    
    left join pipelines 
        on deals.deal_pipeline_id = pipelines.deal_pipeline_id
    left join pipeline_stages 
        on deals.deal_pipeline_stage_id = pipeline_stages.deal_pipeline_stage_id

    
    left join owners 
        on deals.owner_id = owners.owner_id
    

    
    left join aggregate_merged_deals
        on deals.deal_id = aggregate_merged_deals.deal_id

    left join merged_deals
        on deals.deal_id = merged_deals.merged_deal_id
    where merged_deals.merged_deal_id is null
    
)   

select *
from deal_fields_joined