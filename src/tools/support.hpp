// What the built-in tools share: reading their (already validated) arguments, a node's compiled SQL and relation,
// running a query through the read-only guard, and turning warehouse values into JSON. Internal to src/tools.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/tool.hpp"

namespace cowork::tools {

// Arguments, after validate_arguments checked their types: the value, or `fallback` when absent or null.
std::string string_arg(const nlohmann::json& args, std::string_view key, std::string_view fallback = {});
std::int64_t int_arg(const nlohmann::json& args, std::string_view key, std::int64_t fallback);
std::vector<std::string> string_list_arg(const nlohmann::json& args, std::string_view key);

// A JSON schema property, for the tools' parameter lists.
nlohmann::json string_param(std::string_view description);
nlohmann::json integer_param(std::string_view description, std::int64_t minimum, std::int64_t maximum);
nlohmann::json string_list_param(std::string_view description);
// {"type": "object", "properties": ..., "required": ..., "additionalProperties": false}
nlohmann::json object_schema(nlohmann::json properties, std::vector<std::string> required);

// The node's compiled SQL: from the manifest when dbt compiled it, else rendered with the project's compiler. An
// error says why neither worked.
Result<std::string> compiled_sql(ToolContext& context, const dbt::Node& node);

// How SQL names the node's relation: relation_name when the manifest has it, else database.schema.alias quoted with
// the warehouse's quote(). Tests and ephemeral models have none (invalid_argument saying so).
Result<std::string> relation_sql(const dbt::Node& node, const warehouse::Warehouse& warehouse);

// A string as a SQL literal: 'it''s'.
std::string sql_literal(std::string_view value);

// Runs `sql` through the read-only guard on the context's warehouse with at most `limit` rows (guard's default when
// nullopt). A refusal is permission_denied with the guard's reason.
Result<warehouse::QueryResult> run_guarded(ToolContext& context, std::string_view sql,
                                           std::optional<std::int64_t> limit);

nlohmann::json cell_json(const warehouse::Value& value);
nlohmann::json columns_json(const std::vector<warehouse::Column>& columns);
nlohmann::json rows_json(const std::vector<std::vector<warehouse::Value>>& rows);

// "5 rows", "1 row"
std::string plural(std::int64_t count, std::string_view noun);

}  // namespace cowork::tools
