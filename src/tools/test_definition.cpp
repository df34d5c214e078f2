// test_definition: what a data test checks, with its configuration, its SQL and the macro behind it.
#include "tools/support.hpp"
#include "util/strings.hpp"

namespace cowork::tools {
namespace {

nlohmann::json text_or_null(std::string_view text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::string(text));
}

// The body of a generic test defined in the project itself (tests/generic, macros/), not in dbt or a package.
const dbt::Macro* project_test_macro(const dbt::Manifest& manifest, const dbt::Node& test) {
  if (!test.test || test.test->name.empty()) return nullptr;
  const std::string macro_name = "test_" + std::string(test.test->name);
  const std::string_view project =
      manifest.metadata.project_name.empty() ? test.package_name : manifest.metadata.project_name;
  for (const dbt::Macro& macro : manifest.macros)
    if (macro.name == macro_name && macro.package_name == project) return &macro;
  return nullptr;
}

Result<ToolOutput> run(ToolContext& context, const nlohmann::json& args) {
  COWORK_ASSIGN_OR_RETURN(const dbt::Node* node, context.find_node(string_arg(args, "test")));
  const dbt::Graph& graph = *context.artifacts.graph;
  const dbt::NodeId id = *graph.find(node->unique_id);
  if (node->resource_type != dbt::ResourceType::test) {
    std::vector<std::string> tests;
    for (dbt::NodeId t : graph.tests_of(id)) tests.push_back(std::string(graph.node(t).name));
    return make_error(ErrorCode::invalid_argument, "{} is a {}, not a test{}", node->unique_id,
                      dbt::to_string(node->resource_type),
                      tests.empty() ? std::string(" (it has no tests)") : "; its tests: " + join(tests, ", "));
  }
  const dbt::TestInfo info = node->test ? *node->test : dbt::TestInfo{};
  std::string model(info.attached_node);
  if (model.empty())
    if (auto attached = graph.attached_node(id)) model = std::string(graph.node(*attached).unique_id);
  std::string test_name(info.name);
  if (!info.namespace_.empty()) test_name = fmt::format("{}.{}", info.namespace_, info.name);

  nlohmann::json result = {
      {"unique_id", std::string(node->unique_id)},
      {"name", std::string(node->name)},
      {"test_name", text_or_null(test_name)},  // null for singular tests
      {"namespace", text_or_null(info.namespace_)},
      {"kwargs", info.kwargs.is_null() ? nlohmann::json::object() : info.kwargs},
      {"column", text_or_null(info.column_name)},
      {"model", text_or_null(model)},
      {"severity", info.severity.empty() ? std::string("ERROR") : std::string(info.severity)},
      {"where", text_or_null(info.where)},
      {"warn_if", info.warn_if.empty() ? std::string("!= 0") : std::string(info.warn_if)},
      {"error_if", info.error_if.empty() ? std::string("!= 0") : std::string(info.error_if)},
      {"path", std::string(node->original_file_path)},
      {"compiled_sql", nullptr},
      {"macro_sql", nullptr},
      {"raw_sql", node->raw_code.str()},
      {"singular", info.name.empty()},
  };
  if (auto compiled = compiled_sql(context, *node)) {
    result["compiled_sql"] = *compiled;
  } else {
    result["compile_error"] = compiled.error().message;
  }
  if (const dbt::Macro* macro = project_test_macro(graph.manifest(), *node)) {
    result["macro_sql"] = macro->macro_sql.str();
    result["macro_path"] = std::string(macro->original_file_path);
  }

  std::string what;
  if (info.name.empty()) {
    what = fmt::format("singular test {}", node->original_file_path);
  } else {
    what = fmt::format("{} on {}{}", test_name, model.empty() ? std::string("?") : dbt::short_name(model),
                       info.column_name.empty() ? std::string() : "." + std::string(info.column_name));
    if (auto values = result["kwargs"].find("values"); values != result["kwargs"].end())
      what += fmt::format(" ({} accepted values)", values->size());
  }
  std::string summary = fmt::format("{}: {}, severity {}{}", node->name, what, result["severity"].get<std::string>(),
                                    result["macro_sql"].is_null() ? "" : ", custom generic test");
  return ToolOutput{std::move(result), std::move(summary)};
}

}  // namespace

void register_test_definition(ToolRegistry& registry) {
  registry.add({
      "test_definition",
      "What a data test checks: its generic test and arguments (accepted values, relationships target, expression), "
      "column and model, severity, where/warn_if/error_if, the file it is defined in, its compiled SQL (which returns "
      "the failing rows) and, for a custom generic test of the project, the macro's SQL. Use it to understand a "
      "failing test before deciding whether the data, the code or the test itself is wrong.",
      object_schema({{"test", string_param("The test, by name or unique id")}}, {"test"}),
      run,
  });
}

}  // namespace cowork::tools
