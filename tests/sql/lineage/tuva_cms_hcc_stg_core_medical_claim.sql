-- dialect: postgres
-- The compiled_code (dbt-snowflake) of model.the_tuva_project.cms_hcc__stg_core__medical_claim in tests/fixtures/corpus/tuva-health__tuva__docs-build-warn-v7-and-v11/2024-02-19_dbt-1.7.8_manifest-v11/manifest.json, verbatim below this header.

select
      claim_id
    , claim_line_number
    , claim_type
    , patient_id
    , claim_start_date
    , claim_end_date
    , bill_type_code
    , hcpcs_code
    , '2024-02-19 17:43:54.953220+00:00' as tuva_last_run
from dev_tom.core.medical_claim