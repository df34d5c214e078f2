#include "tools/support.hpp"

#include "dbt/compiler.hpp"
#include "util/strings.hpp"

namespace cowork::tools {

std::string string_arg(const nlohmann::json& args, std::string_view key, std::string_view fallback) {
  const auto it = args.find(std::string(key));
  if (it == args.end() || !it->is_string()) return std::string(fallback);
  return it->get<std::string>();
}

std::int64_t int_arg(const nlohmann::json& args, std::string_view key, std::int64_t fallback) {
  const auto it = args.find(std::string(key));
  if (it == args.end() || !it->is_number()) return fallback;
  return it->is_number_integer() ? it->get<std::int64_t>() : static_cast<std::int64_t>(it->get<double>());
}

std::vector<std::string> string_list_arg(const nlohmann::json& args, std::string_view key) {
  std::vector<std::string> out;
  const auto it = args.find(std::string(key));
  if (it == args.end() || !it->is_array()) return out;
  for (const auto& item : *it) {
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    } else if (!item.is_null()) {
      out.push_back(item.dump());
    }
  }
  return out;
}

nlohmann::json string_param(std::string_view description) {
  return {{"type", "string"}, {"description", description}};
}

nlohmann::json integer_param(std::string_view description, std::int64_t minimum, std::int64_t maximum) {
  return {{"type", "integer"}, {"description", description}, {"minimum", minimum}, {"maximum", maximum}};
}

nlohmann::json string_list_param(std::string_view description) {
  return {{"type", "array"}, {"items", {{"type", "string"}}}, {"description", description}};
}

nlohmann::json object_schema(nlohmann::json properties, std::vector<std::string> required) {
  return {{"type", "object"},
          {"properties", std::move(properties)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

Result<std::string> compiled_sql(ToolContext& context, const dbt::Node& node) {
  if (!node.compiled_code.empty()) return node.compiled_code.str();
  if (!context.compiler)
    return make_error(ErrorCode::unavailable,
                      "{} has no compiled SQL in the manifest and no compiler is available; "
                      "run `dbt compile` (or `cowork compile`)",
                      node.unique_id);
  auto compiler = context.compiler();
  if (!compiler)
    return make_error(compiler.error().code,
                      "{} has no compiled SQL in the manifest, and compiling it failed: {}; run `dbt compile`",
                      node.unique_id, compiler.error().message);
  // The compiler's nodes are its own copies: find the node there and render it.
  for (dbt::ProjectNode& project_node : (*compiler)->nodes())
    if (project_node.unique_id == node.unique_id) {
      auto sql = (*compiler)->compile(project_node);
      if (!sql) {
        sql.error().with_context(fmt::format("compiling {}", node.unique_id));
        return std::unexpected(sql.error());
      }
      return sql;
    }
  return make_error(ErrorCode::not_found,
                    "{} has no compiled SQL in the manifest, and the project's files no longer define it; run `dbt "
                    "compile` to refresh target/",
                    node.unique_id);
}

Result<std::string> relation_sql(const dbt::Node& node, const warehouse::Warehouse& warehouse) {
  if (node.resource_type == dbt::ResourceType::test)
    return make_error(ErrorCode::invalid_argument, "{} is a test: it has no relation to query", node.unique_id);
  if (node.materialized == "ephemeral")
    return make_error(ErrorCode::invalid_argument,
                      "{} is ephemeral: it has no relation in the warehouse; profile the model that selects from it",
                      node.unique_id);
  if (!node.relation_name.empty()) return std::string(node.relation_name);
  std::string_view name = node.alias;
  if (name.empty()) name = node.identifier;
  if (name.empty()) name = node.name;
  if (name.empty() || node.schema.empty())
    return make_error(ErrorCode::invalid_argument, "{} has no schema or name in the manifest to query it by",
                      node.unique_id);
  std::vector<std::string> parts;
  if (!node.database.empty()) parts.push_back(warehouse.quote(node.database));
  parts.push_back(warehouse.quote(node.schema));
  parts.push_back(warehouse.quote(name));
  return join(parts, ".");
}

std::string sql_literal(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

Result<warehouse::QueryResult> run_guarded(ToolContext& context, std::string_view sql,
                                           std::optional<std::int64_t> limit) {
  COWORK_ASSIGN_OR_RETURN(const sql::GuardedQuery guarded, sql::guard_read_only(sql, context.dialect, limit));
  if (!context.warehouse) return make_error(ErrorCode::unavailable, "no warehouse is configured for this project");
  COWORK_ASSIGN_OR_RETURN(warehouse::Warehouse * warehouse, context.warehouse());
  warehouse::QueryOptions options;
  options.row_limit = guarded.limit;
  options.timeout = context.query_timeout;
  auto result = warehouse->query(guarded.sql, options);
  if (!result) result.error().with_context(warehouse->describe());
  return result;
}

nlohmann::json cell_json(const warehouse::Value& value) {
  if (std::holds_alternative<std::monostate>(value)) return nullptr;
  if (const auto* b = std::get_if<bool>(&value)) return *b;
  if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
  if (const auto* d = std::get_if<double>(&value)) return *d;
  return std::get<std::string>(value);
}

nlohmann::json columns_json(const std::vector<warehouse::Column>& columns) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& column : columns) out.push_back({{"name", column.name}, {"type", column.type}});
  return out;
}

nlohmann::json rows_json(const std::vector<std::vector<warehouse::Value>>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& row : rows) {
    nlohmann::json line = nlohmann::json::array();
    for (const auto& cell : row) line.push_back(cell_json(cell));
    out.push_back(std::move(line));
  }
  return out;
}

std::string plural(std::int64_t count, std::string_view noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

}  // namespace cowork::tools
