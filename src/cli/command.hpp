// The subcommand table of the `cowork` binary. Each command registers its flags on a CLI11 subcommand and returns
// the function that runs it; main() parses the command line, runs the chosen one and turns its result into an exit
// code: 0 success, 1 the work ran and found failures, 2 bad input or usage.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace cowork::cli {

enum ExitCode : int { k_exit_ok = 0, k_exit_failures = 1, k_exit_usage = 2 };

using Runner = std::function<int()>;

struct Command {
  const char* name;
  const char* description;
  // Adds the command's flags to `app` and returns what runs it once the command line is parsed.
  Runner (*setup)(CLI::App& app);
};

Runner setup_lineage(CLI::App& app);
Runner setup_incidents(CLI::App& app);
Runner setup_ls(CLI::App& app);
Runner setup_build(CLI::App& app);
Runner setup_run(CLI::App& app);
Runner setup_test(CLI::App& app);
Runner setup_seed(CLI::App& app);
Runner setup_compile(CLI::App& app);
Runner setup_sql(CLI::App& app);
Runner setup_demo(CLI::App& app);
Runner setup_kb(CLI::App& app);
Runner setup_tool(CLI::App& app);
Runner setup_investigate(CLI::App& app);
Runner setup_dry_run(CLI::App& app);
Runner setup_apply(CLI::App& app);
Runner setup_revert(CLI::App& app);

const std::vector<Command>& commands();

}  // namespace cowork::cli
