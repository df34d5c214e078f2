{# The project's own not_null replaces dbt's. #}
{% test not_null(model, column_name) %}
    select * from {{ model }} where {{ column_name }} is null -- the project's not_null
{% endtest %}
