-- dialect: postgres
-- The compiled_code (dbt-postgres) of model.hubspot.hubspot__daily_ticket_history in tests/fixtures/corpus/fivetran__dbt_hubspot__package-docs-manifest-v1-to-v12/2024-07-24_dbt-1.8.3/manifest.json, verbatim below this header.
with change_data as (

    select *
    from "postgres"."zz_hubspot_hubspot"."int_hubspot__scd_daily_ticket_history"


    where date_day >= (select max(date_day) from "postgres"."zz_hubspot_hubspot"."hubspot__daily_ticket_history")

-- If no issue fields have been updated since the last incremental run, the pivoted_daily_history CTE will return no record/rows.
-- When this is the case, we need to grab the most recent day's records from the previously built table so that we can persist 
-- those values into the future.

), most_recent_data as ( 

    select 
        *
    from "postgres"."zz_hubspot_hubspot"."hubspot__daily_ticket_history"
    where date_day = (select max(date_day) from "postgres"."zz_hubspot_hubspot"."hubspot__daily_ticket_history" )


), calendar as (

    select *
    from "postgres"."zz_hubspot_hubspot"."int_hubspot__ticket_calendar_spine"

    
    where date_day >= (select max(date_day) from "postgres"."zz_hubspot_hubspot"."hubspot__daily_ticket_history")
    

), pipeline as (

    select *
    from "postgres"."zz_hubspot_stg_hubspot"."stg_hubspot__ticket_pipeline"

), pipeline_stage as (

    select *
    from "postgres"."zz_hubspot_stg_hubspot"."stg_hubspot__ticket_pipeline_stage"

), joined as (

    select 
        calendar.date_day,
        calendar.ticket_id
            
             
            , coalesce(change_data.hs_pipeline, most_recent_data.hs_pipeline) as hs_pipeline
             
            , coalesce(change_data.hs_pipeline_stage, most_recent_data.hs_pipeline_stage) as hs_pipeline_stage
            
        
        

    from calendar
    left join change_data
        on calendar.ticket_id = change_data.ticket_id
        and calendar.date_day = change_data.date_day
    
    
    left join most_recent_data
        on calendar.ticket_id = most_recent_data.ticket_id
        and calendar.date_day = most_recent_data.date_day
    

), set_values as (

    select 
        date_day,
        ticket_id
        
        
        , hs_pipeline
        -- create a batch/partition once a new value is provided
        , sum(case when joined.hs_pipeline is null then 0 else 1 end) over (
                partition by ticket_id
                order by date_day rows unbounded preceding) as hs_pipeline_partition
        
        , hs_pipeline_stage
        -- create a batch/partition once a new value is provided
        , sum(case when joined.hs_pipeline_stage is null then 0 else 1 end) over (
                partition by ticket_id
                order by date_day rows unbounded preceding) as hs_pipeline_stage_partition
        

    from joined

), fill_values as (

    select 
        date_day,
        ticket_id

        
        -- grab the value that started this batch/partition
        , first_value( hs_pipeline ) over (
            partition by ticket_id, hs_pipeline_partition 
            order by date_day asc rows between unbounded preceding and current row) as hs_pipeline
        
        -- grab the value that started this batch/partition
        , first_value( hs_pipeline_stage ) over (
            partition by ticket_id, hs_pipeline_stage_partition 
            order by date_day asc rows between unbounded preceding and current row) as hs_pipeline_stage
        

    from set_values

), fix_null_values as (

    select 
        date_day,
        ticket_id,
        pipeline_stage.ticket_state,
        pipeline.pipeline_label as hs_pipeline_label,
        pipeline_stage.pipeline_stage_label as hs_pipeline_stage_label

         
        -- we de-nulled the true null values earlier in order to differentiate them from nulls that just needed to be backfilled
        , case when  cast( hs_pipeline as TEXT ) = 'is_null' then null else hs_pipeline end as hs_pipeline
         
        -- we de-nulled the true null values earlier in order to differentiate them from nulls that just needed to be backfilled
        , case when  cast( hs_pipeline_stage as TEXT ) = 'is_null' then null else hs_pipeline_stage end as hs_pipeline_stage
        

    from fill_values

    left join pipeline 
        on cast(fill_values.hs_pipeline as integer) = pipeline.ticket_pipeline_id
    left join pipeline_stage 
        on cast(fill_values.hs_pipeline_stage as integer) = pipeline_stage.ticket_pipeline_stage_id
        and pipeline.ticket_pipeline_id = pipeline_stage.ticket_pipeline_id

), surrogate as (

    select
        md5(cast(coalesce(cast(date_day as TEXT), '_dbt_utils_surrogate_key_null_') || '-' || coalesce(cast(ticket_id as TEXT), '_dbt_utils_surrogate_key_null_') as TEXT)) as ticket_day_id,
        *

    from fix_null_values
)

select *
from surrogate