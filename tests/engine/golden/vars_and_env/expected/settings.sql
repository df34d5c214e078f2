select
    '2024-01-01' as start_date,
    'scoped to the project' as scoped,
    'from --vars' as overridden,
    42 as only_cli,
    'fallback' as defaulted,
    '2024-01-01' as project_beats_default,
    11 as limit_plus_one,
    'eu-west' as region,
    'no-region' as region_default
