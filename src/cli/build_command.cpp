// `cowork build | run | test | seed | compile`: the native engine, with dbt's flags and dbt's progress lines.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <memory>

#include "cli/build_command.hpp"
#include "cli/command.hpp"
#include "cli/common.hpp"
#include "cli/engine.hpp"
#include "dbt/artifacts.hpp"
#include "dbt/runner.hpp"
#include "util/strings.hpp"

namespace cowork::cli {
namespace {

std::string clock_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%H:%M:%S", &tm);
  return buffer;
}

// "07:01:02  1 of 5 START sql view model main.src ............... [RUN]"
void print_line(const Style& style, std::size_t index, std::size_t total, const std::string& text,
                const std::string& status) {
  std::string line = fmt::format("{} of {} {} ", index, total, text);
  constexpr std::size_t k_width = 80;
  if (line.size() < k_width) line.append(k_width - line.size(), '.');
  std::cout << clock_now() << "  " << line << " [" << status << "]" << std::endl;
  (void)style;
}

std::string relation_of(const dbt::ProjectNode& node) {
  return node.schema + "." + node.alias;
}

void report(const dbt::RunEvent& event, const Style& style) {
  const dbt::ProjectNode& node = *event.node;
  const bool test = node.resource_type == dbt::ResourceType::test;
  const bool seed = node.resource_type == dbt::ResourceType::seed;
  const std::string what = test   ? "test " + node.name
                           : seed ? "seed file " + relation_of(node)
                                  : fmt::format("sql {} model {}", node.materialized(), relation_of(node));
  if (event.kind == dbt::RunEvent::Kind::started) {
    print_line(style, event.index, event.total, "START " + what, "RUN");
    return;
  }
  const dbt::ExecutionResult& result = *event.result;
  const std::string seconds = fmt::format("{:.2f}s", result.execution_time);
  switch (result.status) {
    case dbt::RunStatus::skipped:
      print_line(style, event.index, event.total,
                 "SKIP " + (test ? "test " + node.name : "relation " + relation_of(node)), style.yellow("SKIP"));
      break;
    case dbt::RunStatus::pass:
      print_line(style, event.index, event.total, "PASS " + node.name, style.green("PASS") + " in " + seconds);
      break;
    case dbt::RunStatus::warn:
      print_line(style, event.index, event.total, fmt::format("WARN {} {}", *result.failures, node.name),
                 style.yellow(fmt::format("WARN {}", *result.failures)) + " in " + seconds);
      break;
    case dbt::RunStatus::fail:
      print_line(style, event.index, event.total, fmt::format("FAIL {} {}", *result.failures, node.name),
                 style.red(fmt::format("FAIL {}", *result.failures)) + " in " + seconds);
      break;
    case dbt::RunStatus::success: {
      const std::string done = seed ? "OK loaded " + what : "OK created " + what;
      print_line(
          style, event.index, event.total,
          node.resource_type == dbt::ResourceType::analysis || result.message.value_or("").starts_with("Compiled")
              ? "OK compiled " + node.name
              : done,
          style.green(result.message && !result.message->starts_with("Compiled") ? *result.message : "OK") + " in " +
              seconds);
      break;
    }
    default:
      print_line(style, event.index, event.total, "ERROR " + (test ? node.name : "creating " + what),
                 style.red("ERROR") + " in " + seconds);
      break;
  }
}

int run_dbt(const BuildOptions& options) {
  std::string program = options.dbt;
  if (program == "auto") program = "dbt";
  std::vector<std::string> args{program, std::string(dbt::to_string(options.command)), "--project-dir",
                                options.common.project_dir};
  if (!options.common.profiles_dir.empty()) args.insert(args.end(), {"--profiles-dir", options.common.profiles_dir});
  if (!options.common.target.empty()) args.insert(args.end(), {"--target", options.common.target});
  for (const auto& s : options.select) args.insert(args.end(), {"--select", s});
  for (const auto& s : options.exclude) args.insert(args.end(), {"--exclude", s});
  if (options.full_refresh) args.push_back("--full-refresh");
  if (!options.vars.empty()) args.insert(args.end(), {"--vars", options.vars});
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::cout.flush();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execvp(argv[0], argv.data());
    std::cerr << "error: cannot run " << program << ": " << std::strerror(errno) << '\n';
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : k_exit_usage;
}

}  // namespace

int run_build(const BuildOptions& options) {
  if (!options.dbt.empty()) return run_dbt(options);
  auto vars = parse_vars(options.vars);
  if (!vars) return report_error(vars.error());
  Style style;
  std::cout << clock_now() << "  Running with cowork 0.1.0 (native engine)" << std::endl;
  auto engine = open_engine(options.common, *vars);
  if (!engine) return report_error(engine.error());
  print_warnings(engine->compiler->project().warnings);
  print_warnings(engine->compiler->warnings());
  auto target_dir = dbt::resolve_target_dir(options.common.project_dir, options.common.target_path);
  if (!target_dir) return report_error(target_dir.error());

  std::size_t models = 0, tests = 0, seeds = 0, sources = 0, exposures = 0;
  for (const auto& node : engine->compiler->nodes()) {
    models += node.resource_type == dbt::ResourceType::model;
    tests += node.resource_type == dbt::ResourceType::test;
    seeds += node.resource_type == dbt::ResourceType::seed;
    sources += node.resource_type == dbt::ResourceType::source;
    exposures += node.resource_type == dbt::ResourceType::exposure;
  }
  std::cout << clock_now() << "  "
            << fmt::format("Found {} models, {} seeds, {} data tests, {} sources, {} exposures", models, seeds, tests,
                           sources, exposures)
            << std::endl;
  std::cout << clock_now() << "  Target: " << engine->warehouse->describe() << std::endl << std::endl;

  dbt::ArtifactContext context;
  context.invocation_id = engine->invocation_id;
  context.generated_at = dbt::utc_now_iso();
  context.adapter_type = engine->target.type;
  context.project_name = engine->compiler->project().settings.name;
  dbt::Runner runner(*engine->compiler, *engine->warehouse, context);
  dbt::RunOptions run_options;
  run_options.command = options.command;
  run_options.select = options.select;
  run_options.exclude = options.exclude;
  run_options.full_refresh = options.full_refresh;
  run_options.fail_fast = options.fail_fast;
  run_options.elementary = !options.no_elementary;
  run_options.target_dir = *target_dir;
  auto summary = runner.run(run_options, [&](const dbt::RunEvent& event) { report(event, style); });
  if (!summary) return report_error(summary.error());
  print_warnings(summary->warnings);

  const double seconds = summary->elapsed_seconds;
  std::cout << '\n'
            << clock_now() << "  "
            << fmt::format("Finished running {} in {} hours {} minutes and {:.2f} seconds ({:.2f}s).",
                           summary->what_ran.empty() ? std::string("nothing") : summary->what_ran,
                           static_cast<int>(seconds / 3600), static_cast<int>(seconds / 60) % 60,
                           seconds - 60 * static_cast<int>(seconds / 60), seconds)
            << std::endl;
  if (summary->results.empty()) std::cout << clock_now() << "  Nothing was selected." << std::endl;
  if (summary->errored == 0 && summary->warned == 0) {
    std::cout << '\n' << clock_now() << "  " << style.green("Completed successfully") << std::endl;
  } else {
    std::cout << '\n'
              << clock_now() << "  "
              << (summary->errored > 0
                      ? style.red(fmt::format("Completed with {} error{} and {} warning{}:", summary->errored,
                                              summary->errored == 1 ? "" : "s", summary->warned,
                                              summary->warned == 1 ? "" : "s"))
                      : style.yellow(fmt::format("Completed with {} warning{}:", summary->warned,
                                                 summary->warned == 1 ? "" : "s")))
              << std::endl;
    for (const auto& result : summary->results) {
      if (result.status != dbt::RunStatus::error && result.status != dbt::RunStatus::fail &&
          result.status != dbt::RunStatus::warn)
        continue;
      const dbt::ProjectNode* node = engine->compiler->find(result.unique_id);
      const std::string kind = result.status == dbt::RunStatus::warn   ? "Warning"
                               : result.status == dbt::RunStatus::fail ? "Failure"
                                                                       : "Error";
      std::cout << '\n'
                << clock_now() << "    " << kind << " in " << dbt::to_string(node->resource_type) << " " << node->name
                << " (" << node->original_file_path << ")" << std::endl;
      const std::string message = result.message.value_or("");
      for (auto line : split(message, '\n'))
        if (!trim(line).empty()) std::cout << clock_now() << "      " << trim(line) << std::endl;
    }
  }
  std::cout << '\n'
            << clock_now() << "  "
            << fmt::format("Done. PASS={} WARN={} ERROR={} SKIP={} TOTAL={}", summary->passed, summary->warned,
                           summary->errored, summary->skipped, summary->results.size())
            << std::endl;
  return summary->errored > 0 ? k_exit_failures : k_exit_ok;
}

namespace {

Runner setup(CLI::App& app, dbt::Command command) {
  auto options = std::make_shared<BuildOptions>();
  options->command = command;
  add_common_options(app, options->common, {"text"});
  app.add_option("-s,--select", options->select, "Nodes to run, in dbt's selector syntax (default: all)");
  app.add_option("--exclude", options->exclude, "Nodes to leave out, in dbt's selector syntax");
  if (command != dbt::Command::test && command != dbt::Command::compile)
    app.add_flag("--full-refresh", options->full_refresh, "Rebuild incremental models from scratch");
  app.add_flag("-x,--fail-fast", options->fail_fast, "Stop at the first error or failing test");
  app.add_option("--vars", options->vars, "Variables as a YAML mapping, like dbt: --vars '{start_date: 2024-01-01}'");
  app.add_flag("--no-elementary", options->no_elementary, "Do not write Elementary's result tables");
  app.add_option("--dbt", options->dbt,
                 "Run this dbt executable instead of the native engine (`auto`: dbt from PATH); its exit code is kept");
  app.footer(R"(The native engine runs the common subset of dbt on DuckDB and PostgreSQL without dbt installed:
views, tables, incremental and ephemeral models, seeds, dbt's generic tests, the dbt_utils tests and the project's
own generic and singular tests. It writes target/manifest.json, target/run_results.json, target/compiled/ and
Elementary's tables (<schema>_elementary). Exit code: 0 all passed, 1 an error or failing test, 2 the project
could not be read.

Examples:
  cowork build                               seeds, models and tests, in DAG order
  cowork build --select +dim_listings        one model and everything upstream
  cowork test --select tag:nightly           only tests
  cowork run --full-refresh --target prod    rebuild incremental models on the prod target)");
  return [options] { return run_build(*options); };
}

}  // namespace

Runner setup_build(CLI::App& app) {
  return setup(app, dbt::Command::build);
}
Runner setup_run(CLI::App& app) {
  return setup(app, dbt::Command::run);
}
Runner setup_test(CLI::App& app) {
  return setup(app, dbt::Command::test);
}
Runner setup_seed(CLI::App& app) {
  return setup(app, dbt::Command::seed);
}
Runner setup_compile(CLI::App& app) {
  return setup(app, dbt::Command::compile);
}

}  // namespace cowork::cli
