#include "dbt/materializations.hpp"

#include <algorithm>
#include <limits>
#include <set>

#include "util/strings.hpp"

namespace cowork::dbt {
namespace {

using warehouse::Warehouse;

std::string literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

std::string relation(Warehouse& warehouse, const std::string& schema, const std::string& name) {
  return warehouse.quote(schema) + "." + warehouse.quote(name);
}

std::optional<std::int64_t> as_int(const warehouse::Value& value) {
  if (auto* i = std::get_if<std::int64_t>(&value)) return *i;
  if (auto* d = std::get_if<double>(&value)) return static_cast<std::int64_t>(*d);
  if (auto* b = std::get_if<bool>(&value)) return *b ? 1 : 0;
  if (auto* s = std::get_if<std::string>(&value)) {
    try {
      return std::stoll(*s);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

bool as_bool(const warehouse::Value& value) {
  if (auto* b = std::get_if<bool>(&value)) return *b;
  if (auto i = as_int(value)) return *i != 0;
  if (auto* s = std::get_if<std::string>(&value)) return *s == "true" || *s == "t";
  return false;
}

Result<std::int64_t> count_rows(Warehouse& warehouse, const std::string& relation_sql) {
  COWORK_ASSIGN_OR_RETURN(auto result, warehouse.query("select count(*) from " + relation_sql));
  if (result.rows.empty() || result.rows[0].empty()) return std::int64_t{0};
  return as_int(result.rows[0][0]).value_or(0);
}

Status drop_existing(Warehouse& warehouse, const std::string& schema, const std::string& name,
                     std::string_view keep_type) {
  COWORK_ASSIGN_OR_RETURN(auto existing, relation_type(warehouse, schema, name));
  if (!existing || *existing == keep_type) return {};
  const std::string cascade = warehouse.type() == "postgres" ? " cascade" : "";
  return warehouse.execute(
      fmt::format("drop {} if exists {}{}", *existing, relation(warehouse, schema, name), cascade));
}

std::vector<std::string> unique_key_columns(const nlohmann::json& config) {
  std::vector<std::string> keys;
  auto it = config.find("unique_key");
  if (it == config.end() || it->is_null()) return keys;
  if (it->is_string()) {
    // "a, b" is a composite key too.
    const std::string text = it->get<std::string>();
    for (auto part : split(text, ','))
      if (!trim(part).empty()) keys.emplace_back(trim(part));
  }
  if (it->is_array())
    for (const auto& key : *it)
      if (key.is_string()) keys.push_back(key.get<std::string>());
  return keys;
}

Result<BuildOutcome> incremental(Warehouse& warehouse, const ProjectNode& node, const std::string& sql) {
  const std::string target = relation(warehouse, node.schema, node.alias);
  const std::string temp_name = node.alias + "__dbt_tmp";
  const std::string temp = relation(warehouse, node.schema, temp_name);
  COWORK_TRY(warehouse.execute(fmt::format("drop table if exists {}", temp)));
  COWORK_TRY(warehouse.execute(fmt::format("create table {} as (\n{}\n)", temp, sql)));
  auto cleanup = [&] { (void)warehouse.execute(fmt::format("drop table if exists {}", temp)); };

  auto new_columns = warehouse.relation_columns(node.schema, temp_name);
  auto old_columns = warehouse.relation_columns(node.schema, node.alias);
  if (!new_columns || !old_columns) {
    cleanup();
    return std::unexpected(!new_columns ? new_columns.error() : old_columns.error());
  }
  auto names = [](const std::vector<warehouse::Column>& columns) {
    std::set<std::string> out;
    for (const auto& c : columns) out.insert(to_lower(c.name));
    return out;
  };
  const auto new_names = names(*new_columns), old_names = names(*old_columns);
  std::vector<std::string> added, removed;
  for (const auto& c : *new_columns)
    if (!old_names.contains(to_lower(c.name))) added.push_back(c.name);
  for (const auto& c : *old_columns)
    if (!new_names.contains(to_lower(c.name))) removed.push_back(c.name);
  const std::string policy = node.config.value("on_schema_change", std::string("ignore"));
  if ((!added.empty() || !removed.empty()) && policy == "fail") {
    cleanup();
    return make_error(ErrorCode::invalid_argument,
                      "the source and target schemas of incremental model {} are out of sync (on_schema_change: fail): "
                      "new columns [{}], missing columns [{}]; run with --full-refresh to rebuild it",
                      node.name, join(added, ", "), join(removed, ", "));
  }
  if (policy == "append_new_columns" || policy == "sync_all_columns") {
    for (const auto& c : *new_columns)
      if (std::find(added.begin(), added.end(), c.name) != added.end()) {
        auto status =
            warehouse.execute(fmt::format("alter table {} add column {} {}", target, warehouse.quote(c.name), c.type));
        if (!status) {
          cleanup();
          return std::unexpected(status.error());
        }
      }
    if (policy == "sync_all_columns")
      for (const auto& name : removed) {
        auto status = warehouse.execute(fmt::format("alter table {} drop column {}", target, warehouse.quote(name)));
        if (!status) {
          cleanup();
          return std::unexpected(status.error());
        }
      }
  }
  // Insert the columns both have (ignore: new columns are dropped, missing ones stay NULL).
  std::vector<std::string> columns;
  for (const auto& c : *new_columns)
    if (old_names.contains(to_lower(c.name)) || policy == "append_new_columns" || policy == "sync_all_columns")
      columns.push_back(warehouse.quote(c.name));
  const std::string column_list = join(columns, ", ");

  std::string statements;
  const auto keys = unique_key_columns(node.config);
  if (!keys.empty()) {
    std::vector<std::string> quoted;
    for (const auto& key : keys) quoted.push_back(warehouse.quote(key));
    const std::string key_list = join(quoted, ", ");
    const std::string lhs = keys.size() == 1 ? key_list : "(" + key_list + ")";
    statements += fmt::format("delete from {} where {} in (select {} from {});\n", target, lhs, key_list, temp);
  }
  statements += fmt::format("insert into {} ({}) select {} from {}", target, column_list, column_list, temp);
  auto inserted = count_rows(warehouse, temp);
  if (!inserted) {
    cleanup();
    return std::unexpected(inserted.error());
  }
  // One unit: the delete and the insert land together or not at all.
  const bool explicit_transaction = warehouse.type() == "duckdb";
  if (explicit_transaction) {
    if (auto begun = warehouse.begin(); !begun) {
      cleanup();
      return std::unexpected(begun.error());
    }
  }
  auto status = warehouse.execute(statements);
  if (explicit_transaction) {
    if (status) {
      status = warehouse.commit();
    } else {
      (void)warehouse.rollback();
    }
  }
  cleanup();
  if (!status) return std::unexpected(status.error());
  return BuildOutcome{fmt::format("INSERT {}", *inserted), "INSERT", *inserted};
}

}  // namespace

Result<std::optional<std::string>> relation_type(Warehouse& warehouse, const std::string& schema,
                                                 const std::string& name) {
  COWORK_ASSIGN_OR_RETURN(auto result, warehouse.query(fmt::format(
                                           "select table_type from information_schema.tables where table_schema = {} "
                                           "and table_name = {} and table_catalog = current_database()",
                                           literal(schema), literal(name))));
  if (result.rows.empty()) return std::optional<std::string>{};
  const auto* type = std::get_if<std::string>(&result.rows[0][0]);
  if (type == nullptr) return std::optional<std::string>{};
  return std::optional<std::string>{to_lower(*type).find("view") != std::string::npos ? "view" : "table"};
}

Status ensure_schema(Warehouse& warehouse, const std::string& schema) {
  return warehouse.execute("create schema if not exists " + warehouse.quote(schema));
}

Result<BuildOutcome> materialize_model(Warehouse& warehouse, const ProjectNode& node, const std::string& compiled_sql,
                                       bool full_refresh) {
  const std::string materialized = node.materialized();
  const std::string target = relation(warehouse, node.schema, node.alias);
  const bool postgres = warehouse.type() == "postgres";
  COWORK_TRY(ensure_schema(warehouse, node.schema));
  if (materialized == "view") {
    COWORK_TRY(drop_existing(warehouse, node.schema, node.alias, "view"));
    auto replaced = warehouse.execute(fmt::format("create or replace view {} as (\n{}\n)", target, compiled_sql));
    if (!replaced && postgres) {
      // PostgreSQL cannot replace a view whose columns changed; rebuild it.
      COWORK_TRY(warehouse.execute(
          fmt::format("drop view if exists {} cascade;\ncreate view {} as (\n{}\n)", target, target, compiled_sql)));
    } else if (!replaced) {
      return std::unexpected(replaced.error());
    }
    return BuildOutcome{"CREATE VIEW", "CREATE VIEW", -1};
  }
  if (materialized == "table" || (materialized == "incremental" && full_refresh)) {
    COWORK_TRY(drop_existing(warehouse, node.schema, node.alias, "table"));
    if (postgres) {
      COWORK_TRY(warehouse.execute(
          fmt::format("drop table if exists {} cascade;\ncreate table {} as (\n{}\n)", target, target, compiled_sql)));
    } else {
      COWORK_TRY(warehouse.execute(fmt::format("create or replace table {} as (\n{}\n)", target, compiled_sql)));
    }
    COWORK_ASSIGN_OR_RETURN(auto rows, count_rows(warehouse, target));
    return BuildOutcome{fmt::format("SELECT {}", rows), "SELECT", rows};
  }
  if (materialized == "incremental") {
    COWORK_ASSIGN_OR_RETURN(auto existing, relation_type(warehouse, node.schema, node.alias));
    if (!existing || *existing != "table")
      return materialize_model(warehouse, node, compiled_sql, /*full_refresh=*/true);
    return incremental(warehouse, node, compiled_sql);
  }
  return make_error(ErrorCode::invalid_argument,
                    "{}: materialization '{}' is not supported by the native engine (view, table, incremental, "
                    "ephemeral)",
                    node.original_file_path, materialized);
}

std::string seed_column_type(std::string_view warehouse_type, const SeedColumn& column, bool needs_bigint) {
  if (!column.declared_type.empty()) return column.declared_type;
  const bool postgres = warehouse_type == "postgres";
  switch (column.type) {
    case SeedType::integer:
      return needs_bigint ? (postgres ? "bigint" : "BIGINT") : (postgres ? "integer" : "INTEGER");
    case SeedType::number:
      return postgres ? "float8" : "DOUBLE";
    case SeedType::boolean:
      return postgres ? "boolean" : "BOOLEAN";
    case SeedType::date:
      return postgres ? "date" : "DATE";
    case SeedType::timestamp:
      return postgres ? "timestamp without time zone" : "TIMESTAMP";
    case SeedType::text:
      return postgres ? "text" : "VARCHAR";
  }
  return postgres ? "text" : "VARCHAR";
}

Result<BuildOutcome> load_seed(Warehouse& warehouse, const ProjectNode& node, const SeedTable& table) {
  const std::string target = relation(warehouse, node.schema, node.alias);
  COWORK_TRY(ensure_schema(warehouse, node.schema));
  COWORK_ASSIGN_OR_RETURN(auto existing, relation_type(warehouse, node.schema, node.alias));
  if (existing) {
    const std::string cascade = warehouse.type() == "postgres" ? " cascade" : "";
    COWORK_TRY(warehouse.execute(fmt::format("drop {} if exists {}{}", *existing, target, cascade)));
  }
  std::vector<std::string> definitions;
  std::vector<bool> numeric(table.columns.size());
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const SeedColumn& column = table.columns[c];
    bool needs_bigint = false;
    if (column.type == SeedType::integer)
      for (const auto& row : table.rows)
        if (row[c]) {
          const long long value = std::stoll(*row[c]);
          if (value > std::numeric_limits<std::int32_t>::max() || value < std::numeric_limits<std::int32_t>::min())
            needs_bigint = true;
        }
    numeric[c] = column.declared_type.empty() && (column.type == SeedType::integer || column.type == SeedType::number);
    definitions.push_back(warehouse.quote(column.name) + " " +
                          seed_column_type(warehouse.type(), column, needs_bigint));
  }
  COWORK_TRY(warehouse.execute(fmt::format("create table {} ({})", target, join(definitions, ", "))));
  constexpr std::size_t k_batch = 500;
  for (std::size_t start = 0; start < table.rows.size(); start += k_batch) {
    std::string sql = "insert into " + target + " values ";
    const std::size_t end = std::min(table.rows.size(), start + k_batch);
    for (std::size_t r = start; r < end; ++r) {
      if (r > start) sql += ", ";
      sql += '(';
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        if (c > 0) sql += ", ";
        const auto& cell = table.rows[r][c];
        sql += !cell ? std::string("NULL") : numeric[c] ? *cell : literal(*cell);
      }
      sql += ')';
    }
    COWORK_TRY(warehouse.execute(sql));
  }
  const auto rows = static_cast<std::int64_t>(table.rows.size());
  return BuildOutcome{fmt::format("INSERT {}", rows), "INSERT", rows};
}

Result<TestOutcome> run_test_query(Warehouse& warehouse, const ProjectNode& node, const std::string& compiled_sql) {
  const std::string fail_calc = node.config.value("fail_calc", std::string("count(*)"));
  const std::string warn_if = node.config.value("warn_if", std::string("!= 0"));
  const std::string error_if = node.config.value("error_if", std::string("!= 0"));
  std::string limit;
  if (auto it = node.config.find("limit"); it != node.config.end() && it->is_number_integer())
    limit = fmt::format("\n    limit {}", it->get<std::int64_t>());
  const std::string sql = fmt::format(
      "select\n      {fc} as failures,\n      {fc} {w} as should_warn,\n      {fc} {e} as should_error\n"
      "    from (\n      {sql}{limit}\n    ) dbt_internal_test",
      fmt::arg("fc", fail_calc), fmt::arg("w", warn_if), fmt::arg("e", error_if), fmt::arg("sql", compiled_sql),
      fmt::arg("limit", limit));
  COWORK_ASSIGN_OR_RETURN(auto result, warehouse.query(sql));
  TestOutcome outcome;
  if (result.rows.empty() || result.rows[0].size() < 3)
    return make_error(ErrorCode::internal, "the test query of {} returned no counts", node.unique_id);
  outcome.failures = as_int(result.rows[0][0]).value_or(0);
  const bool should_warn = as_bool(result.rows[0][1]);
  const bool should_error = as_bool(result.rows[0][2]);
  const std::string plural = outcome.failures == 1 ? "" : "s";
  if (node.severity() == "ERROR" && should_error) {
    outcome.status = RunStatus::fail;
    outcome.message = fmt::format("Got {} result{}, configured to fail if {}", outcome.failures, plural, error_if);
  } else if (should_warn) {
    outcome.status = RunStatus::warn;
    outcome.message = fmt::format("Got {} result{}, configured to warn if {}", outcome.failures, plural, warn_if);
  }
  return outcome;
}

Result<nlohmann::json> sample_failed_rows(Warehouse& warehouse, const std::string& compiled_sql, std::int64_t limit) {
  warehouse::QueryOptions options;
  options.row_limit = limit;
  COWORK_ASSIGN_OR_RETURN(
      auto result,
      warehouse.query(fmt::format("select * from (\n{}\n) dbt_sample limit {}", compiled_sql, limit), options));
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : result.rows) {
    nlohmann::json object = nlohmann::json::object();
    for (std::size_t c = 0; c < result.columns.size() && c < row.size(); ++c) {
      const auto& value = row[c];
      nlohmann::json cell;
      if (std::holds_alternative<std::monostate>(value))
        cell = nullptr;
      else if (auto* b = std::get_if<bool>(&value))
        cell = *b;
      else if (auto* i = std::get_if<std::int64_t>(&value))
        cell = *i;
      else if (auto* d = std::get_if<double>(&value))
        cell = *d;
      else
        cell = std::get<std::string>(value);
      object[result.columns[c].name] = cell;
    }
    rows.push_back(std::move(object));
  }
  return rows;
}

}  // namespace cowork::dbt
