// The `cowork` binary: parses the command line, runs one command from the table, and maps the outcome to an exit
// code. Everything a command does is in the engine libraries; this file only wires them to the terminal.
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/command.hpp"
#include "cli/common.hpp"

namespace cowork::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"build", "Seed, run and test the project in DAG order with the native engine (like dbt build)", setup_build},
      {"run", "Build the project's models (like dbt run)", setup_run},
      {"test", "Run the project's data tests (like dbt test)", setup_test},
      {"seed", "Load the project's seed files (like dbt seed)", setup_seed},
      {"compile", "Compile models and tests to SQL without running them (like dbt compile)", setup_compile},
      {"sql", "Run one read-only query on the project's warehouse", setup_sql},
      {"incidents", "List the failures of the last dbt run, grouped into incidents by root cause", setup_incidents},
      {"investigate", "Find the root cause of an incident and propose verified fixes", setup_investigate},
      {"dry-run", "Verify a proposed fix again in the sandbox and show its diff", setup_dry_run},
      {"apply", "Apply a proposed fix to the project's files, with a backup (and optionally a git branch)", setup_apply},
      {"revert", "Undo an applied fix from its backup", setup_revert},
      {"lineage", "Show what a node reads from and what reads from it", setup_lineage},
      {"kb", "Search the knowledge base of business rules the way an investigation does", setup_kb},
      {"tool", "List the investigation tools, or call one by hand with JSON arguments", setup_tool},
      {"ls", "List the nodes a dbt selector picks (like dbt ls)", setup_ls},
      {"demo", "Try cowork on a copy of the example project: inject realistic faults, then restore it", setup_demo},
  };
  return table;
}

namespace {

int run_main(int argc, char** argv) {
  CLI::App app{"dbt Co-Work: find out why a dbt pipeline broke, and fix it."};
  app.name("cowork");
  app.set_version_flag("--version", "cowork 0.1.0");
  app.require_subcommand(1);
  app.footer(R"(Start with `cowork incidents` in a dbt project after a failed `dbt build` (or point --target-path at a
folder of artifacts), then `cowork lineage NODE` to see where a failure comes from.
Run `cowork COMMAND --help` for a command's flags and examples.)");

  Runner chosen;
  for (const Command& command : commands()) {
    CLI::App* sub = app.add_subcommand(command.name, command.description);
    Runner runner = command.setup(*sub);
    sub->callback([&chosen, runner] { chosen = runner; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return k_exit_usage;
  }
  if (!chosen) return k_exit_usage;
  return chosen();
}

}  // namespace
}  // namespace cowork::cli

int main(int argc, char** argv) {
  try {
    return cowork::cli::run_main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "error: cowork stopped unexpectedly: " << e.what() << '\n';
    return cowork::cli::k_exit_usage;
  }
}
