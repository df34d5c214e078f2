// `cowork tool list` and `cowork tool call NAME '{"arg": ...}' [--incident ID] [--format text|json]`: the
// investigation tools by hand, exactly as the playbook engine and the LLM agents call them, for people checking what
// evidence a tool gives and for debugging a tool.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "tools/context.hpp"
#include "tools/tool.hpp"
#include "util/json_text.hpp"
#include "util/strings.hpp"

namespace cowork::cli {
namespace {

struct ToolOptions {
  std::string project_dir = ".";
  std::string profiles_dir;
  std::string target;
  std::string target_path;
  std::string knowledge_dir;
  std::string format = "text";
  std::string name;
  std::string args = "{}";
  std::string incident;
};

int run_list(const ToolOptions& options) {
  const auto& tools = tools::builtin_tools().tools();
  if (options.format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& tool : tools)
      out.push_back({{"name", tool.name}, {"description", tool.description}, {"parameters", tool.parameters}});
    std::cout << dump_json(out, 2) << '\n';
    return k_exit_ok;
  }
  Style style;
  for (const auto& tool : tools) {
    std::vector<std::string> params;
    const auto& properties = tool.parameters.value("properties", nlohmann::json::object());
    const auto& required = tool.parameters.value("required", nlohmann::json::array());
    for (const auto& [key, _] : properties.items()) {
      const bool needed = std::find(required.begin(), required.end(), key) != required.end();
      params.push_back(needed ? key : key + "?");
    }
    std::cout << style.bold(tool.name) << style.dim(" {" + join(params, ", ") + "}") << '\n'
              << "    " << tool.description << "\n\n";
  }
  return k_exit_ok;
}

int run_call(const ToolOptions& options) {
  const tools::ToolRegistry& registry = tools::builtin_tools();
  nlohmann::json args;
  try {
    args = nlohmann::json::parse(options.args);
  } catch (const nlohmann::json::parse_error& e) {
    return report_error(
        Error{ErrorCode::invalid_argument, fmt::format("the arguments are not JSON ({}); give an object such as "
                                                       "'{{\"model\": \"dim_listings_cleansed\"}}'",
                                                       e.what())});
  }
  if (!args.is_object())
    return report_error(Error{ErrorCode::invalid_argument,
                              fmt::format("the arguments must be a JSON object, not {}", one_line(args.dump(), 60))});
  tools::ContextOptions context_options;
  context_options.project_dir = options.project_dir;
  context_options.profiles_dir = options.profiles_dir;
  context_options.target = options.target;
  context_options.target_path = options.target_path;
  context_options.knowledge_dir = options.knowledge_dir;
  auto context = tools::open_context(context_options);
  if (!context) return report_error(context.error());
  print_warnings(context->artifacts.warnings);
  if (!options.incident.empty()) {
    // The incident under investigation: checked, and passed to tools that take one.
    auto incident = context->find_incident(options.incident);
    if (!incident) return report_error(incident.error());
    if (const tools::Tool* tool = registry.find(options.name))
      if (tool->parameters.contains("properties") && tool->parameters["properties"].contains("incident_id") &&
          !args.contains("incident_id"))
        args["incident_id"] = (*incident)->id;
  }
  const tools::ToolCall call = registry.call(*context, options.name, args);
  if (options.format == "json") {
    nlohmann::ordered_json out = {{"tool", call.tool},
                                  {"args", call.args},
                                  {"ok", call.ok()},
                                  {"summary", call.summary()},
                                  {"ms", call.duration.count()}};
    if (call.output) out["result"] = call.output->result;
    if (call.error)
      out["error"] = {{"code", std::string(to_string(call.error->code))}, {"message", call.error->message}};
    std::cout << dump_json(out, 2) << '\n';
    return call.ok() ? k_exit_ok : k_exit_usage;
  }
  if (!call.ok()) return report_error(*call.error);
  Style style;
  std::cout << style.bold(call.output->summary) << style.dim(fmt::format("  ({} ms)", call.duration.count())) << '\n'
            << dump_json(call.output->result, 2) << '\n';
  return k_exit_ok;
}

void add_flags(CLI::App& app, ToolOptions& options) {
  app.add_option("--project-dir", options.project_dir, "The dbt project folder (default: the current folder)");
  app.add_option("--profiles-dir", options.profiles_dir,
                 "Folder with profiles.yml (default: $DBT_PROFILES_DIR, the project folder, then ~/.dbt)");
  app.add_option("--target", options.target, "The profile target to use (default: the profile's target)");
  app.add_option("--target-path", options.target_path,
                 "Folder of dbt artifacts (default: $DBT_TARGET_PATH, the project's target-path, then target/)");
  app.add_option("--kb", options.knowledge_dir,
                 "The knowledge base folder (default: cowork.yml's knowledge_base, else <project>/knowledge_base)");
  app.add_option("--format", options.format, "Output format")->check(CLI::IsMember({"text", "json"}));
}

}  // namespace

Runner setup_tool(CLI::App& app) {
  auto options = std::make_shared<ToolOptions>();
  app.require_subcommand(1);
  app.footer(R"(The tools are what an investigation gathers evidence with: read-only, on the project's artifacts, files,
git history, knowledge base and (through a read-only connection and the SQL guard) its warehouse.

  cowork tool list
  cowork tool call column_profile '{"model": "dim_listings_cleansed", "column": "room_type"}'
  cowork tool call incident_details '{}' --incident inc_1a2b --format json)");

  CLI::App* list = app.add_subcommand("list", "The tools, their arguments and when to use each");
  list->add_option("--format", options->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  CLI::App* call = app.add_subcommand("call", "Call one tool with JSON arguments");
  call->add_option("name", options->name, "The tool (see `cowork tool list`)")->required();
  call->add_option("args", options->args, "The arguments as a JSON object (default: {})");
  call->add_option("--incident", options->incident,
                   "The incident under investigation (id or prefix); fills incident_id for tools that take it");
  add_flags(*call, *options);
  call->footer(R"(text: the tool's one-line summary, then its result as JSON.
json: {"tool", "args", "ok", "summary", "ms", "result" | "error": {"code", "message"}}.
Exit 0 when the tool succeeded, 2 when it failed (bad arguments, unknown node, a refused query, no warehouse).)");
  return [options, list, call]() -> int {
    if (list->parsed()) return run_list(*options);
    if (call->parsed()) return run_call(*options);
    return k_exit_usage;
  };
}

}  // namespace cowork::cli
