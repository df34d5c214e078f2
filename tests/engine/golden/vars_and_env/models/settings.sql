select
    '{{ var("start_date") }}' as start_date,
    '{{ var("scoped") }}' as scoped,
    '{{ var("override_me") }}' as overridden,
    {{ var("only_cli") }} as only_cli,
    '{{ var("missing_with_default", "fallback") }}' as defaulted,
    '{{ var("start_date", "ignored default") }}' as project_beats_default,
    {{ var("limit_rows") + 1 }} as limit_plus_one,
    '{{ env_var("COWORK_GOLDEN_REGION") }}' as region,
    '{{ env_var("COWORK_GOLDEN_UNSET_VARIABLE", "no-region") }}' as region_default
