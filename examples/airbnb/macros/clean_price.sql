{#- Prices arrive as text with a currency sign ("$120.00"); see knowledge_base/business_rules.md. -#}
{% macro clean_price(column_name) -%}
    cast(replace({{ column_name }}, '$', '') as numeric(10, 2))
{%- endmacro %}
