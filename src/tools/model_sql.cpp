// model_sql: a model's SQL as written and as compiled.
#include "tools/support.hpp"

namespace cowork::tools {
namespace {

Result<ToolOutput> run(ToolContext& context, const nlohmann::json& args) {
  COWORK_ASSIGN_OR_RETURN(const dbt::Node* node, context.find_node(string_arg(args, "model")));
  if (node->resource_type == dbt::ResourceType::source)
    return make_error(ErrorCode::invalid_argument,
                      "{} is a source: it has no SQL in the project (it is loaded outside dbt); use run_sql or "
                      "column_profile to look at its data",
                      node->unique_id);
  nlohmann::json result = {{"unique_id", std::string(node->unique_id)},
                           {"path", std::string(node->original_file_path)},
                           {"raw_sql", node->raw_code.str()},
                           {"compiled_sql", nullptr},
                           {"materialized", std::string(node->materialized)}};
  std::string note;
  if (node->resource_type != dbt::ResourceType::seed) {
    if (auto compiled = compiled_sql(context, *node)) {
      result["compiled_sql"] = *compiled;
    } else {
      result["compile_error"] = compiled.error().message;
      note = "; not compiled: " + compiled.error().message;
    }
  }
  const std::string raw = result["raw_sql"].get<std::string>();
  const auto lines = static_cast<std::int64_t>(std::count(raw.begin(), raw.end(), '\n') + (raw.empty() ? 0 : 1));
  return ToolOutput{std::move(result),
                    fmt::format("{} ({}, {}): {}{}", node->name, node->original_file_path,
                                node->materialized.empty() ? dbt::to_string(node->resource_type) : node->materialized,
                                plural(lines, "line"), note)};
}

}  // namespace

void register_model_sql(ToolRegistry& registry) {
  registry.add({
      "model_sql",
      "A model's SQL file as written (raw_sql, with Jinja) and as compiled (compiled_sql, what ran), with its path and "
      "materialization. Use it to read the transformation a failing column goes through before proposing a code fix; "
      "edits go into the raw SQL at `path`.",
      object_schema({{"model", string_param("The model (or snapshot, test, analysis) by name or unique id")}},
                    {"model"}),
      run,
  });
}

}  // namespace cowork::tools
