// The macros a dbt project gets without writing them: dbt's own generic tests (unique, not_null, accepted_values,
// relationships) and get_where_subquery, and the dbt_utils tests the native engine runs without installing the
// package. Written for both DuckDB and PostgreSQL; the SQL has the shape dbt's default implementations produce, so
// compiled tests read the same as in a dbt project.
#include "dbt/builtin_macros.hpp"

namespace cowork::dbt {

std::string_view builtin_dbt_macros() {
  return R"JINJA(
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        (select * from {{ relation }} where {{ where }}) dbt_subquery
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{% test unique(model, column_name) %}

select
    {{ column_name }} as unique_field,
    count(*) as n_records

from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1

{% endtest %}

{% test not_null(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} is null

{% endtest %}

{% test accepted_values(model, column_name, values, quote=True) %}

with all_values as (

    select
        {{ column_name }} as value_field,
        count(*) as n_records

    from {{ model }}
    group by {{ column_name }}

)

select *
from all_values
where value_field not in (
    {% for value in values -%}
        {% if quote -%}
        '{{ value }}'
        {%- else -%}
        {{ value }}
        {%- endif -%}
        {%- if not loop.last -%},{%- endif %}
    {%- endfor %}
)

{% endtest %}

{% test relationships(model, column_name, to, field) %}

with child as (
    select {{ column_name }} as from_field
    from {{ model }}
    where {{ column_name }} is not null
),

parent as (
    select {{ field }} as to_field
    from {{ to }}
)

select
    from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null

{% endtest %}
)JINJA";
}

std::string_view builtin_dbt_utils_macros() {
  return R"JINJA(
{% test expression_is_true(model, expression, column_name=None) %}

select
    *
from {{ model }}
{% if column_name is none %}
where not({{ expression }})
{%- else %}
where not({{ column_name }} {{ expression }})
{%- endif %}

{% endtest %}

{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}

{%- if not quote_columns -%}
    {%- set column_list = combination_of_columns -%}
{%- else -%}
    {%- set column_list = [] -%}
    {%- for column in combination_of_columns -%}
        {%- do column_list.append(adapter.quote(column)) -%}
    {%- endfor -%}
{%- endif -%}
{%- set columns_csv = column_list | join(', ') %}

with validation_errors as (

    select
        {{ columns_csv }}
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1

)

select *
from validation_errors

{% endtest %}

{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

with meet_condition as (
    select *
    from {{ model }}
),

validation_errors as (
    select *
    from meet_condition
    where
        -- never true, defaults to an empty result set. Exists to ensure any combo of the `or` clauses below succeeds
        1 = 2
    {%- if min_value is not none %}
        -- records with a value >= min_value are permitted. The `not` flips this to find records that don't meet the rule.
        or not {{ column_name }} {{ ">=" if inclusive else ">" }} {{ min_value }}
    {%- endif %}
    {%- if max_value is not none %}
        -- records with a value <= max_value are permitted. The `not` flips this to find records that don't meet the rule.
        or not {{ column_name }} {{ "<=" if inclusive else "<" }} {{ max_value }}
    {%- endif %}
)

select *
from validation_errors

{% endtest %}

{% test not_null_proportion(model, column_name, at_least, at_most=1.0) %}

with validation as (
    select
        sum(case when {{ column_name }} is null then 0 else 1 end) / cast(count(*) as numeric) as not_null_proportion
    from {{ model }}
),

validation_errors as (
    select
        not_null_proportion
    from validation
    where not_null_proportion < {{ at_least }} or not_null_proportion > {{ at_most }}
)

select *
from validation_errors

{% endtest %}

{% test recency(model, field, datepart, interval, ignore_time_component=False) %}

{%- set threshold = "current_timestamp - interval '" ~ interval ~ " " ~ datepart ~ "'" -%}
{%- if ignore_time_component -%}
    {%- set threshold = "cast(" ~ threshold ~ " as date)" -%}
{%- endif %}

with recency as (

    select
        {% if ignore_time_component -%}
        cast(max({{ field }}) as date) as most_recent
        {%- else -%}
        max({{ field }}) as most_recent
        {%- endif %}
    from {{ model }}

)

select
    most_recent,
    {{ threshold }} as threshold
from recency
where most_recent < {{ threshold }} or most_recent is null

{% endtest %}

{% test at_least_one(model, column_name) %}

select *
from (
    select
        count({{ column_name }}) as filler_column
    from {{ model }}
    having count({{ column_name }}) = 0
) validation_errors

{% endtest %}

{% test not_constant(model, column_name) %}

select
    count(distinct {{ column_name }}) as filler_column
from {{ model }}
having count(distinct {{ column_name }}) = 1

{% endtest %}
)JINJA";
}

}  // namespace cowork::dbt
