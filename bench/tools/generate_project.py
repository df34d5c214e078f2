#!/usr/bin/env python3
"""Generates a dbt project of N models for benchmarking the native engine's parse and compile.

The shape follows real projects: seeds feed staging views, which feed layers of intermediate models and marts that
ref one to three earlier models each. The SQL uses the Jinja that projects use (config() blocks, a for loop over a
var, project macros, is_incremental(), var() with defaults) and each model has a property YAML entry with columns and
unique / not_null / accepted_values / relationships tests, so a 2,000-model project has several thousand tests.
Deterministic: the same arguments give the same files.

    python3 bench/tools/generate_project.py OUT_DIR [--models 2000] [--seed-rows 50]
"""
import argparse
import os
import random

CATEGORIES = ["alpha", "beta", "gamma", "delta"]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--seed-rows", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(42)
    out = args.out_dir
    n_seeds = max(2, args.models // 100)
    n_staging = max(2, args.models // 10)

    write(os.path.join(out, "dbt_project.yml"), f"""name: generated
version: "1.0.0"
config-version: 2
profile: generated

model-paths: ["models"]
seed-paths: ["seeds"]
macro-paths: ["macros"]

vars:
  start_date: "2020-01-01"
  metric_columns: ["amount", "quantity"]

models:
  generated:
    +materialized: view
    staging:
      +tags: ["staging"]
    intermediate:
      +tags: ["intermediate"]
    marts:
      +materialized: table
      +meta:
        owner: "analytics@example.com"

seeds:
  generated:
    +schema: raw
""")
    write(os.path.join(out, "profiles.yml"), """generated:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: generated.duckdb
      schema: main
      threads: 1
""")
    write(os.path.join(out, "macros", "money.sql"), """{% macro cents_to_dollars(column, scale=2) -%}
    round(cast({{ column }} as double) / 100, {{ scale }})
{%- endmacro %}

{% macro safe_divide(numerator, denominator) -%}
    case when {{ denominator }} = 0 then null else {{ numerator }} / {{ denominator }} end
{%- endmacro %}
""")
    write(os.path.join(out, "macros", "columns.sql"), """{% macro metric_sums(columns) -%}
    {%- for column in columns %}
    sum({{ column }}) as total_{{ column }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
""")

    for s in range(n_seeds):
        rows = ["id,category,amount,quantity,created_at"]
        for r in range(args.seed_rows):
            rows.append(f"{r + 1},{CATEGORIES[(r + s) % 4]},{(r * 37 + s) % 10000},{r % 7 + 1},"
                        f"2021-{r % 12 + 1:02d}-{r % 28 + 1:02d} 10:00:00")
        write(os.path.join(out, "seeds", f"raw_{s}.csv"), "\n".join(rows) + "\n")

    names = []
    with_id = []  # models that keep one row per id (grouped marts do not), the ones later models ref
    yaml_by_folder = {"staging": [], "intermediate": [], "marts": []}
    for i in range(args.models):
        if i < n_staging:
            folder, name = "staging", f"stg_{i}"
            sql = f"""-- depends_on: {{{{ ref('raw_{i % n_seeds}') }}}}
select
    id,
    category,
    {{{{ cents_to_dollars('amount') }}}} as amount,
    quantity,
    cast(created_at as timestamp) as created_at
from {{{{ ref('raw_{i % n_seeds}') }}}}
where created_at >= '{{{{ var("start_date") }}}}'
"""
        else:
            folder = "marts" if i >= args.models * 9 // 10 else "intermediate"
            name = f"{'fct' if folder == 'marts' else 'int'}_{i}"
            recent = with_id[max(0, len(with_id) - 300):]
            parents = rng.sample(recent, k=min(len(recent), rng.randint(1, 3)))
            incremental = folder == "intermediate" and i % 25 == 0
            lines = []
            if incremental:
                lines.append("{{ config(materialized='incremental', unique_key='id') }}\n")
            lines.append("with")
            ctes = [f"p{k} as (\n    select * from {{{{ ref('{parent}') }}}}\n)" for k, parent in enumerate(parents)]
            lines.append(",\n".join(ctes))
            lines.append("""
select
    p0.id,
    p0.category,
    p0.amount,
    p0.quantity,
    p0.created_at,
    {{ safe_divide('p0.amount', 'p0.quantity') }} as unit_price""")
            for k in range(1, len(parents)):
                lines.append(f"    , p{k}.amount as amount_{k}")
            lines.append("from p0")
            for k in range(1, len(parents)):
                lines.append(f"left join p{k} on p{k}.id = p0.id")
            if incremental:
                lines.append("{% if is_incremental() %}\nwhere p0.created_at > (select max(created_at) from {{ this }})\n{% endif %}")
            sql = "\n".join(lines) + "\n"
            if folder == "marts" and i % 2 == 0:
                sql = f"""with base as (
    select * from {{{{ ref('{parents[0]}') }}}}
)

select
    category,
    {{{{ metric_sums(var('metric_columns')) }}}},
    count(*) as row_count
from base
group by category
"""
        write(os.path.join(out, "models", folder, f"{name}.sql"), sql)
        names.append(name)
        grouped = folder == "marts" and i % 2 == 0
        if not grouped:
            with_id.append(name)
        key = "category" if grouped else "id"
        tests = [f"""      - name: {key}
        description: Key of {name}.
        data_tests:
          - unique
          - not_null"""]
        if not grouped and i % 3 == 0:
            tests.append("""      - name: category
        data_tests:
          - accepted_values:
              values: ['alpha', 'beta', 'gamma', 'delta']""")
        if not grouped and folder != "staging" and i % 5 == 0:
            tests.append(f"""      - name: quantity
        data_tests:
          - relationships:
              to: ref('stg_{i % n_staging}')
              field: quantity
              config:
                severity: warn""")
        yaml_by_folder[folder].append(f"""  - name: {name}
    description: Generated model {i}.
    columns:
""" + "\n".join(tests))

    for folder, entries in yaml_by_folder.items():
        write(os.path.join(out, "models", folder, "schema.yml"), "version: 2\n\nmodels:\n" + "\n".join(entries) + "\n")
    print(f"wrote {args.models} models, {n_seeds} seeds to {out}")


if __name__ == "__main__":
    main()
