{% macro safe_divide(a, b) -%}
    {{ return(adapter.dispatch('safe_divide')(a, b)) }}
{%- endmacro %}

{% macro default__safe_divide(a, b) -%}
    case when {{ b }} = 0 then null else {{ a }} / {{ b }} end
{%- endmacro %}

{% macro postgres__safe_divide(a, b) -%}
    ({{ a }} / nullif({{ b }}, 0))
{%- endmacro %}

{% macro concat_pair(a, b) -%}
    {{ adapter.dispatch('concat_pair', 'macros_and_dispatch')(a, b) }}
{%- endmacro %}

{% macro duckdb__concat_pair(a, b) -%}
    {{ a }} || {{ b }}
{%- endmacro %}

{% macro default__concat_pair(a, b) -%}
    concat({{ a }}, {{ b }})
{%- endmacro %}
