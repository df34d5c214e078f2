// `cowork ls [--select S] [--exclude S] [--resource-type T]`: the nodes a dbt selector picks, as `dbt ls` lists them.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "util/json_text.hpp"
#include "dbt/selector.hpp"
#include "util/strings.hpp"

namespace cowork::cli {
namespace {

struct LsOptions {
  CommonOptions common;
  std::vector<std::string> select;
  std::vector<std::string> exclude;
  std::vector<std::string> resource_types;
  std::string output = "selector";
  std::string indirect = "eager";
};

// dbt ls's default output: the fqn joined by dots, sources as source:pkg.source.table.
std::string selector_of(const dbt::Node& node) {
  std::string fqn = join(node.fqn, ".");
  if (fqn.empty()) fqn = std::string(node.unique_id);
  switch (node.resource_type) {
    case dbt::ResourceType::source:
      return "source:" + fqn;
    case dbt::ResourceType::exposure:
      return "exposure:" + fqn;
    case dbt::ResourceType::metric:
      return "metric:" + fqn;
    case dbt::ResourceType::unit_test:
      return "unit_test:" + fqn;
    case dbt::ResourceType::semantic_model:
      return "semantic_model:" + fqn;
    case dbt::ResourceType::saved_query:
      return "saved_query:" + fqn;
    default:
      return fqn;
  }
}

int run(const LsOptions& options) {
  auto indirect = dbt::indirect_selection_from_string(options.indirect);
  if (!indirect) return report_error(indirect.error());
  dbt::ArtifactRequest request;
  request.run_results = dbt::Need::optional;
  auto artifacts = load_artifacts(options.common, request);
  if (!artifacts) return report_error(artifacts.error());
  print_warnings(artifacts->warnings);
  dbt::SelectionOptions selection;
  selection.indirect = *indirect;
  selection.run_results = artifacts->run_results ? &*artifacts->run_results : nullptr;
  auto selected = dbt::select_nodes(*artifacts->graph, options.select, options.exclude, selection);
  if (!selected) return report_error(selected.error());

  const dbt::Graph& graph = *artifacts->graph;
  const bool json = options.common.format == "json" || options.output == "json";
  for (auto id : *selected) {
    const dbt::Node& node = graph.node(id);
    if (!options.resource_types.empty() &&
        std::find(options.resource_types.begin(), options.resource_types.end(), dbt::to_string(node.resource_type)) ==
            options.resource_types.end())
      continue;
    if (json) {
      nlohmann::json line = {{"unique_id", node.unique_id},
                             {"name", node.name},
                             {"resource_type", dbt::to_string(node.resource_type)},
                             {"package_name", node.package_name},
                             {"original_file_path", node.original_file_path},
                             {"tags", node.tags},
                             {"depends_on", node.depends_on}};
      if (!node.materialized.empty()) line["config"] = {{"materialized", node.materialized}};
      std::cout << dump_json(line) << '\n';
    } else if (options.output == "name") {
      std::cout << node.name << '\n';
    } else if (options.output == "path") {
      std::cout << node.original_file_path << '\n';
    } else if (options.output == "unique_id") {
      std::cout << node.unique_id << '\n';
    } else {
      std::cout << selector_of(node) << '\n';
    }
  }
  return k_exit_ok;
}

}  // namespace

Runner setup_ls(CLI::App& app) {
  auto options = std::make_shared<LsOptions>();
  app.add_option("-s,--select", options->select, "Nodes to list, in dbt's selector syntax (default: all)");
  app.add_option("--exclude", options->exclude, "Nodes to leave out, in dbt's selector syntax");
  app.add_option("--resource-type", options->resource_types, "Only these resource types (model, test, source...)");
  app.add_option("--output", options->output, "What to print for each node")
      ->check(CLI::IsMember({"selector", "name", "path", "unique_id", "json"}));
  app.add_option("--indirect-selection", options->indirect,
                 "How tests join a selection: eager (any parent selected), cautious (all), buildable, empty")
      ->check(CLI::IsMember({"eager", "cautious", "buildable", "empty"}));
  add_common_options(app, options->common, {"text", "json"});
  app.footer(
      R"(Selectors: space-separated arguments are a union, commas an intersection; each is [@][N+]method:value[+N]
or a name. Methods: fqn (default), path, file, tag, source, package, resource_type, config.materialized,
test_name, test_type, exposure, metric, result (e.g. result:fail, from run_results.json). Wildcards: * ? [..].

Examples:
  cowork ls --select +orders              orders and everything upstream of it
  cowork ls --select "tag:nightly,config.materialized:table"
  cowork ls --select result:fail+ --output unique_id   failing nodes and their descendants
  cowork ls --select path:models/staging --exclude stg_legacy)");
  return [options] { return run(*options); };
}

}  // namespace cowork::cli
