#include "dbt/elementary.hpp"
#include "util/json_text.hpp"

#include <utility>

#include "dbt/materializations.hpp"
#include "util/strings.hpp"

namespace cowork::dbt {
namespace {

using warehouse::Warehouse;

// Column types as Elementary's empty_table macro declares them (string, long_string, timestamp, bigint, float,
// boolean), per warehouse.
enum class Kind { string, timestamp, bigint, floating, boolean };

std::string type_name(std::string_view warehouse_type, Kind kind) {
  const bool postgres = warehouse_type == "postgres";
  switch (kind) {
    case Kind::string:
      return postgres ? "text" : "VARCHAR";
    case Kind::timestamp:
      return postgres ? "timestamp" : "TIMESTAMP";
    case Kind::bigint:
      return postgres ? "bigint" : "BIGINT";
    case Kind::floating:
      return postgres ? "float8" : "DOUBLE";
    case Kind::boolean:
      return postgres ? "boolean" : "BOOLEAN";
  }
  return "text";
}

struct TableDef {
  std::string name;
  std::vector<std::pair<std::string, Kind>> columns;
};

const std::vector<TableDef>& table_defs() {
  static const std::vector<TableDef> defs = {
      {"elementary_test_results",
       {{"id", Kind::string},
        {"data_issue_id", Kind::string},
        {"test_execution_id", Kind::string},
        {"test_unique_id", Kind::string},
        {"model_unique_id", Kind::string},
        {"invocation_id", Kind::string},
        {"detected_at", Kind::timestamp},
        {"created_at", Kind::timestamp},
        {"database_name", Kind::string},
        {"schema_name", Kind::string},
        {"table_name", Kind::string},
        {"column_name", Kind::string},
        {"test_type", Kind::string},
        {"test_sub_type", Kind::string},
        {"test_results_description", Kind::string},
        {"owners", Kind::string},
        {"tags", Kind::string},
        {"test_results_query", Kind::string},
        {"other", Kind::string},
        {"test_name", Kind::string},
        {"test_params", Kind::string},
        {"severity", Kind::string},
        {"status", Kind::string},
        {"failures", Kind::bigint},
        {"test_short_name", Kind::string},
        {"test_alias", Kind::string},
        {"result_rows", Kind::string},
        {"failed_row_count", Kind::bigint}}},
      {"test_result_rows",
       {{"elementary_test_results_id", Kind::string},
        {"result_row", Kind::string},
        {"detected_at", Kind::timestamp},
        {"created_at", Kind::timestamp}}},
      {"dbt_run_results",
       {{"model_execution_id", Kind::string},
        {"unique_id", Kind::string},
        {"invocation_id", Kind::string},
        {"generated_at", Kind::string},
        {"created_at", Kind::timestamp},
        {"name", Kind::string},
        {"message", Kind::string},
        {"status", Kind::string},
        {"resource_type", Kind::string},
        {"execution_time", Kind::floating},
        {"execute_started_at", Kind::string},
        {"execute_completed_at", Kind::string},
        {"compile_started_at", Kind::string},
        {"compile_completed_at", Kind::string},
        {"rows_affected", Kind::bigint},
        {"full_refresh", Kind::boolean},
        {"compiled_code", Kind::string},
        {"failures", Kind::bigint},
        {"query_id", Kind::string},
        {"thread_id", Kind::string},
        {"materialization", Kind::string},
        {"adapter_response", Kind::string},
        {"group_name", Kind::string}}},
      {"dbt_models",
       {{"unique_id", Kind::string},
        {"alias", Kind::string},
        {"checksum", Kind::string},
        {"materialization", Kind::string},
        {"tags", Kind::string},
        {"meta", Kind::string},
        {"owner", Kind::string},
        {"database_name", Kind::string},
        {"schema_name", Kind::string},
        {"depends_on_macros", Kind::string},
        {"depends_on_nodes", Kind::string},
        {"description", Kind::string},
        {"name", Kind::string},
        {"package_name", Kind::string},
        {"original_path", Kind::string},
        {"path", Kind::string},
        {"patch_path", Kind::string},
        {"generated_at", Kind::string},
        {"metadata_hash", Kind::string},
        {"unique_key", Kind::string},
        {"incremental_strategy", Kind::string},
        {"group_name", Kind::string},
        {"access", Kind::string}}},
      {"dbt_tests",
       {{"unique_id", Kind::string},
        {"database_name", Kind::string},
        {"schema_name", Kind::string},
        {"name", Kind::string},
        {"short_name", Kind::string},
        {"alias", Kind::string},
        {"test_column_name", Kind::string},
        {"severity", Kind::string},
        {"warn_if", Kind::string},
        {"error_if", Kind::string},
        {"test_params", Kind::string},
        {"test_namespace", Kind::string},
        {"test_original_name", Kind::string},
        {"tags", Kind::string},
        {"model_tags", Kind::string},
        {"model_owners", Kind::string},
        {"meta", Kind::string},
        {"depends_on_macros", Kind::string},
        {"depends_on_nodes", Kind::string},
        {"parent_model_unique_id", Kind::string},
        {"description", Kind::string},
        {"package_name", Kind::string},
        {"type", Kind::string},
        {"original_path", Kind::string},
        {"path", Kind::string},
        {"generated_at", Kind::string},
        {"metadata_hash", Kind::string},
        {"quality_dimension", Kind::string},
        {"group_name", Kind::string}}},
  };
  return defs;
}

using Row = std::vector<nlohmann::json>;  // null, string, number, bool; in table column order

std::string literal(const nlohmann::json& value) {
  if (value.is_null()) return "NULL";
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number()) return dump_json(value);
  std::string text = value.is_string() ? value.get<std::string>() : dump_json(value);
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

Status insert_rows(Warehouse& warehouse, const std::string& schema, const TableDef& def, const std::vector<Row>& rows) {
  if (rows.empty()) return {};
  std::vector<std::string> names;
  for (const auto& [name, kind] : def.columns) names.push_back(warehouse.quote(name));
  constexpr std::size_t k_batch = 200;
  for (std::size_t start = 0; start < rows.size(); start += k_batch) {
    std::string sql = fmt::format("insert into {}.{} ({}) values ", warehouse.quote(schema), warehouse.quote(def.name),
                                  join(names, ", "));
    for (std::size_t r = start; r < std::min(rows.size(), start + k_batch); ++r) {
      if (r > start) sql += ", ";
      sql += '(';
      for (std::size_t c = 0; c < rows[r].size(); ++c) {
        if (c > 0) sql += ", ";
        const bool timestamp = def.columns[c].second == Kind::timestamp && rows[r][c].is_string();
        sql += timestamp ? "cast(" + literal(rows[r][c]) + " as " + type_name(warehouse.type(), Kind::timestamp) + ")"
                         : literal(rows[r][c]);
      }
      sql += ')';
    }
    COWORK_TRY(warehouse.execute(sql));
  }
  return {};
}

Status ensure_table(Warehouse& warehouse, const std::string& schema, const TableDef& def) {
  COWORK_ASSIGN_OR_RETURN(auto existing, relation_type(warehouse, schema, def.name));
  if (existing) {
    // Tables made by an older Elementary may lack newer columns; add them.
    COWORK_ASSIGN_OR_RETURN(auto columns, warehouse.relation_columns(schema, def.name));
    for (const auto& [name, kind] : def.columns) {
      const bool present = std::any_of(columns.begin(), columns.end(),
                                       [&](const warehouse::Column& c) { return iequals(c.name, name); });
      if (!present)
        COWORK_TRY(warehouse.execute(fmt::format("alter table {}.{} add column {} {}", warehouse.quote(schema),
                                                 warehouse.quote(def.name), warehouse.quote(name),
                                                 type_name(warehouse.type(), kind))));
    }
    return {};
  }
  std::vector<std::string> columns;
  for (const auto& [name, kind] : def.columns)
    columns.push_back(warehouse.quote(name) + " " + type_name(warehouse.type(), kind));
  return warehouse.execute(
      fmt::format("create table {}.{} ({})", warehouse.quote(schema), warehouse.quote(def.name), join(columns, ", ")));
}

std::string json_text(const nlohmann::json& value) {
  return dump_json(value);
}

nlohmann::json unique_key_text(const nlohmann::json& config) {
  auto it = config.find("unique_key");
  if (it == config.end() || it->is_null()) return nullptr;
  return it->is_string() ? *it : nlohmann::json(it->dump());
}

const ProjectNode* tested_model(const Compiler& compiler, const ProjectNode& test) {
  if (!test.attached_node.empty()) return compiler.find(test.attached_node);
  if (test.depends_on.size() == 1) return compiler.find(test.depends_on.front());
  return nullptr;
}

std::string owner_of(const ProjectNode* node) {
  if (node == nullptr) return "[]";
  auto meta = node->meta();
  nlohmann::json owners = nlohmann::json::array();
  if (auto it = meta.find("owner"); it != meta.end()) {
    if (it->is_string()) {
      const std::string text = it->get<std::string>();
      for (auto part : split(text, ','))
        if (!trim(part).empty()) owners.push_back(std::string(trim(part)));
    } else if (it->is_array()) {
      owners = *it;
    }
  }
  return dump_json(owners);
}

std::string short_name_of(const ProjectNode& test) {
  if (!test.test) return test.name;
  const std::string& name = test.test->name;
  const std::string& ns = test.test->namespace_;
  const std::string prefix = ns.empty() ? name : ns + "_" + name;
  const std::string source_prefix = ns.empty() ? "source_" + name : ns + "_source_" + name;
  return test.name.starts_with(prefix) || test.name.starts_with(source_prefix) ? name : test.name;
}

std::string sub_type_of(const ProjectNode& test) {
  if (test.test) return test.test->namespace_ == "dbt_expectations" ? "expectation" : "generic";
  return "singular";
}

}  // namespace

std::string elementary_schema(const Compiler& compiler) {
  return compiler.target().schema + "_elementary";
}

Status write_elementary_tables(Warehouse& warehouse, const Compiler& compiler, const ElementaryRun& run) {
  const std::string schema = elementary_schema(compiler);
  COWORK_TRY(ensure_schema(warehouse, schema));
  for (const auto& def : table_defs()) COWORK_TRY(ensure_table(warehouse, schema, def));
  const auto& defs = table_defs();

  std::vector<Row> test_results, result_rows, run_results, models, tests;
  for (const auto& result : run.results) {
    const ProjectNode* node = compiler.find(result.unique_id);
    if (node == nullptr) continue;
    const std::string execution_id = run.invocation_id + "." + result.unique_id;
    run_results.push_back(
        Row{execution_id,
            result.unique_id,
            run.invocation_id,
            run.detected_at,
            run.detected_at,
            node->name,
            result.message ? nlohmann::json(*result.message) : nlohmann::json(nullptr),
            std::string(to_string(result.status)),
            std::string(to_string(node->resource_type)),
            result.execution_time,
            result.execute_started_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.execute_started_at),
            result.execute_completed_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.execute_completed_at),
            result.compile_started_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.compile_started_at),
            result.compile_completed_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.compile_completed_at),
            result.adapter_response.contains("rows_affected") ? nlohmann::json(result.adapter_response["rows_affected"])
                                                              : nlohmann::json(nullptr),
            false,
            result.compiled_code ? nlohmann::json(*result.compiled_code) : nlohmann::json(nullptr),
            result.failures ? nlohmann::json(*result.failures) : nlohmann::json(nullptr),
            nullptr,
            result.thread_id,
            node->materialized().empty() ? nlohmann::json(nullptr) : nlohmann::json(node->materialized()),
            dump_json(nlohmann::json(result.adapter_response)),
            nullptr});

    if (node->resource_type != ResourceType::test) continue;
    if (result.status == RunStatus::skipped) continue;
    const ProjectNode* model = tested_model(compiler, *node);
    const std::string id = execution_id;
    nlohmann::json rows = nlohmann::json::array();
    if (auto it = run.failed_rows.find(result.unique_id); it != run.failed_rows.end()) rows = it->second;
    const std::string status =
        result.status == RunStatus::runtime_error ? "error" : std::string(to_string(result.status));
    test_results.push_back(Row{
        id,
        nullptr,
        execution_id,
        result.unique_id,
        model != nullptr ? nlohmann::json(model->unique_id) : nlohmann::json(nullptr),
        run.invocation_id,
        run.detected_at,
        run.detected_at,
        model != nullptr ? nlohmann::json(model->database) : nlohmann::json(nullptr),
        model != nullptr ? nlohmann::json(model->schema) : nlohmann::json(nullptr),
        model != nullptr ? nlohmann::json(model->alias.empty() ? model->name : model->alias) : nlohmann::json(nullptr),
        node->column_name.empty() ? nlohmann::json(nullptr) : nlohmann::json(node->column_name),
        "dbt_test",
        sub_type_of(*node),
        result.message ? nlohmann::json(*result.message) : nlohmann::json(nullptr),
        owner_of(model),
        json_text(node->tags()),
        result.compiled_code ? nlohmann::json(*result.compiled_code) : nlohmann::json(nullptr),
        nullptr,
        node->name,
        json_text(node->test_kwargs),
        node->severity(),
        status,
        result.failures ? nlohmann::json(*result.failures) : nlohmann::json(nullptr),
        short_name_of(*node),
        node->alias,
        rows.empty() ? nlohmann::json(nullptr) : nlohmann::json(dump_json(rows)),
        result.failures ? nlohmann::json(*result.failures) : nlohmann::json(nullptr)});
    for (const auto& row : rows) result_rows.push_back(Row{id, dump_json(row), run.detected_at, run.detected_at});
  }

  for (const auto& node : compiler.nodes()) {
    if (node.resource_type == ResourceType::model) {
      nlohmann::json depends_macros = node.depends_on_macros, depends_nodes = node.depends_on;
      models.push_back(Row{node.unique_id,
                           node.alias,
                           node.checksum,
                           node.materialized(),
                           json_text(node.tags()),
                           dump_json(node.meta()),
                           owner_of(&node),
                           node.database,
                           node.schema,
                           dump_json(depends_macros),
                           dump_json(depends_nodes),
                           node.description,
                           node.name,
                           node.package_name,
                           node.original_file_path,
                           node.path,
                           node.patch_path.empty() ? nlohmann::json(nullptr) : nlohmann::json(node.patch_path),
                           run.detected_at,
                           node.checksum,
                           unique_key_text(node.config),
                           node.config.value("incremental_strategy", nlohmann::json(nullptr)),
                           nullptr,
                           "protected"});
    } else if (node.resource_type == ResourceType::test) {
      const ProjectNode* model = tested_model(compiler, node);
      nlohmann::json depends_macros = node.depends_on_macros, depends_nodes = node.depends_on;
      tests.push_back(Row{
          node.unique_id,
          model != nullptr ? nlohmann::json(model->database) : nlohmann::json(nullptr),
          model != nullptr ? nlohmann::json(model->schema) : nlohmann::json(nullptr),
          node.name,
          short_name_of(node),
          node.alias,
          node.column_name.empty() ? nlohmann::json(nullptr) : nlohmann::json(node.column_name),
          node.severity(),
          node.config.value("warn_if", std::string("!= 0")),
          node.config.value("error_if", std::string("!= 0")),
          json_text(node.test_kwargs),
          node.test && !node.test->namespace_.empty() ? nlohmann::json(node.test->namespace_) : nlohmann::json(nullptr),
          node.test ? nlohmann::json(node.test->name) : nlohmann::json(nullptr),
          json_text(node.tags()),
          model != nullptr ? json_text(model->tags()) : std::string("[]"),
          owner_of(model),
          dump_json(node.meta()),
          dump_json(depends_macros),
          dump_json(depends_nodes),
          model != nullptr ? nlohmann::json(model->unique_id) : nlohmann::json(nullptr),
          node.description,
          node.package_name,
          sub_type_of(node),
          node.original_file_path,
          node.path,
          run.detected_at,
          node.checksum,
          nullptr,
          nullptr});
    }
  }
  // dbt_models and dbt_tests describe the project now: replace their rows.
  for (const char* table : {"dbt_models", "dbt_tests"})
    COWORK_TRY(warehouse.execute(fmt::format("delete from {}.{}", warehouse.quote(schema), warehouse.quote(table))));
  COWORK_TRY(insert_rows(warehouse, schema, defs[0], test_results));
  COWORK_TRY(insert_rows(warehouse, schema, defs[1], result_rows));
  COWORK_TRY(insert_rows(warehouse, schema, defs[2], run_results));
  COWORK_TRY(insert_rows(warehouse, schema, defs[3], models));
  COWORK_TRY(insert_rows(warehouse, schema, defs[4], tests));
  return {};
}

}  // namespace cowork::dbt
