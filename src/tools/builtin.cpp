// The table of built-in tools: each tool's file registers it here, so adding one is one line.
#include "tools/tool.hpp"

namespace cowork::tools {

void register_incident_details(ToolRegistry& registry);
void register_lineage(ToolRegistry& registry);
void register_column_lineage(ToolRegistry& registry);
void register_model_sql(ToolRegistry& registry);
void register_yaml_properties(ToolRegistry& registry);
void register_test_definition(ToolRegistry& registry);
void register_failed_rows(ToolRegistry& registry);
void register_run_sql(ToolRegistry& registry);
void register_column_profile(ToolRegistry& registry);
void register_kb_search(ToolRegistry& registry);
void register_git_history(ToolRegistry& registry);
void register_upstream_tests(ToolRegistry& registry);

const ToolRegistry& builtin_tools() {
  static const ToolRegistry registry = [] {
    ToolRegistry tools;
    register_incident_details(tools);
    register_lineage(tools);
    register_column_lineage(tools);
    register_model_sql(tools);
    register_yaml_properties(tools);
    register_test_definition(tools);
    register_failed_rows(tools);
    register_run_sql(tools);
    register_column_profile(tools);
    register_kb_search(tools);
    register_git_history(tools);
    register_upstream_tests(tools);
    return tools;
  }();
  return registry;
}

}  // namespace cowork::tools
