// `cowork demo init | inject | restore | status`: a copy of examples/airbnb with its own git history, realistic
// faults injected into it, and their removal. Each step builds the project afterwards (unless --no-build), so the
// artifacts and Elementary's tables always show the state the files are in.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "cli/build_command.hpp"
#include "cli/command.hpp"
#include "cli/common.hpp"
#include "demo/demo.hpp"
#include "util/strings.hpp"

namespace cowork::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* k_default_dir = "cowork-demo";

struct DemoOptions {
  std::string dir;  // init: the folder to create; others: --project-dir
  std::vector<std::string> faults;
  std::string target;
  bool force = false;
  bool no_build = false;
};

// Without --project-dir: the current folder when it is a workspace, else ./cowork-demo, which `init` creates.
fs::path workspace_dir(const DemoOptions& options) {
  if (!options.dir.empty()) return options.dir;
  if (demo::load_workspace(".")) return ".";
  return k_default_dir;
}

std::string shown(const fs::path& dir) {
  std::error_code ec;
  const fs::path relative = fs::relative(fs::absolute(dir, ec), fs::current_path(ec), ec);
  if (ec || relative.empty() || relative == "." || relative.string().starts_with(".."))
    return fs::absolute(dir, ec).lexically_normal().string();
  return relative.string();
}

// Builds the workspace the way a user would: from inside it, so the DuckDB file lands there.
int build_workspace(const fs::path& dir, const DemoOptions& options, bool full_refresh) {
  const fs::path previous = fs::current_path();
  std::error_code ec;
  fs::current_path(dir, ec);
  if (ec) return report_error(Error{ErrorCode::not_found, fmt::format("cannot enter {}: {}", dir.string(), ec.message())});
  BuildOptions build;
  build.common.project_dir = ".";
  build.common.profiles_dir = ".";
  build.common.target = options.target;
  build.full_refresh = full_refresh;
  std::cout << '\n';
  const int code = run_build(build);
  fs::current_path(previous, ec);
  return code;
}

// " --project-dir DIR" unless DIR is the current folder.
std::string project_flag(const fs::path& dir) {
  std::error_code ec;
  if (fs::equivalent(dir, fs::current_path(ec), ec)) return {};
  return " --project-dir " + shown(dir);
}

int run_init(const DemoOptions& options) {
  Style style;
  auto example = demo::find_example();
  if (!example) return report_error(example.error());
  const fs::path dir = options.dir.empty() ? fs::path(k_default_dir) : fs::path(options.dir);
  auto notes = demo::init_workspace({*example, dir, options.force});
  if (!notes) return report_error(notes.error());
  std::cout << style.bold("Created the demo workspace ") << shown(dir) << " from " << example->string() << '\n';
  print_warnings(*notes);
  int code = k_exit_ok;
  if (!options.no_build) code = build_workspace(dir, options, true);
  std::cout << "\nNext: break it with `cowork demo inject" << project_flag(dir) << "` (`cowork demo status` lists the faults).\n";
  return code;
}

int run_status(const DemoOptions& options) {
  Style style;
  const fs::path dir = workspace_dir(options);
  auto state = demo::load_workspace(dir);
  if (!state) return report_error(state.error());
  std::cout << "Demo workspace " << shown(dir) << (state->has_git ? "" : " (no git history)") << '\n';
  for (const auto& fault : demo::all_faults()) {
    const bool on = std::find(state->injected.begin(), state->injected.end(), fault.fault) != state->injected.end();
    std::cout << "  " << (on ? style.red("[injected]") : style.dim("[        ]")) << ' ' << fmt::format("{:<20}", fault.name)
              << ' ' << fault.summary << '\n';
  }
  if (!state->code_fault_commit.empty())
    std::cout << "The renamed_column fault is commit " << state->code_fault_commit.substr(0, 12) << ".\n";
  return k_exit_ok;
}

int run_inject(const DemoOptions& options) {
  Style style;
  std::vector<demo::Fault> faults;
  for (const auto& name : options.faults) {
    auto fault = demo::parse_fault(name);
    if (!fault) {
      std::vector<std::string> names;
      for (const auto& entry : demo::all_faults()) names.emplace_back(entry.name);
      return report_error(Error{ErrorCode::invalid_argument,
                                fmt::format("unknown fault '{}'; the faults are: {}", name, join(names, ", "))});
    }
    faults.push_back(*fault);
  }
  const fs::path dir = workspace_dir(options);
  auto outcome = demo::inject(dir, faults);
  if (!outcome) return report_error(outcome.error());
  for (demo::Fault fault : outcome->already_present)
    std::cout << style.dim(fmt::format("{} is already injected", demo::info(fault).name)) << '\n';
  if (outcome->injected.empty()) {
    std::cout << "Nothing new to inject; `cowork demo restore" << project_flag(dir) << "` removes the faults.\n";
    return k_exit_ok;
  }
  std::cout << style.bold(fmt::format("Injected {} fault{} into {}:", outcome->injected.size(),
                                      outcome->injected.size() == 1 ? "" : "s", shown(dir)))
            << '\n';
  for (demo::Fault fault : outcome->injected) {
    const auto& entry = demo::info(fault);
    std::cout << "  " << fmt::format("{:<20}", entry.name) << ' ' << entry.summary << '\n'
              << "  " << std::string(20, ' ') << ' ' << style.dim("-> " + std::string(entry.breaks)) << '\n';
  }
  if (!outcome->commit.empty())
    std::cout << "  (the code change is commit " << outcome->commit.substr(0, 12) << " in the workspace's git log)\n";
  if (!options.no_build) {
    const int code = build_workspace(dir, options, false);
    if (code == k_exit_usage) return code;
  }
  std::cout << "\nNext: `cowork incidents" << project_flag(dir) << "` groups the failures; `cowork demo restore"
            << project_flag(dir) << "` removes the faults.\n";
  return k_exit_ok;
}

int run_restore(const DemoOptions& options) {
  Style style;
  const fs::path dir = workspace_dir(options);
  auto outcome = demo::restore(dir);
  if (!outcome) return report_error(outcome.error());
  if (outcome->restored_files.empty()) {
    std::cout << "Every file of " << shown(dir) << " is already as `cowork demo init` left it.\n";
  } else {
    std::cout << style.bold(fmt::format("Restored {} file{} in {}:", outcome->restored_files.size(),
                                        outcome->restored_files.size() == 1 ? "" : "s", shown(dir)))
              << '\n';
    for (const auto& file : outcome->restored_files) std::cout << "  " << file << '\n';
    if (!outcome->commit.empty()) std::cout << "  (committed as " << outcome->commit.substr(0, 12) << ")\n";
  }
  // Full refresh: the incremental fct_reviews keeps rows it loaded while a fault was in place.
  if (!options.no_build) return build_workspace(dir, options, true);
  return k_exit_ok;
}

}  // namespace

Runner setup_demo(CLI::App& app) {
  auto options = std::make_shared<DemoOptions>();
  app.require_subcommand(1);
  app.footer(R"(A guided tour on a real project: examples/airbnb (seeds, src/dim/fct/mart models, 22 data tests and a
knowledge base of the team's rules) copied into a workspace with its own git history.

  cowork demo init                      create ./cowork-demo and build it: every test passes
  cowork demo inject                    inject every fault and build: see what breaks
  cowork demo inject null_host_ids      one fault (several may be named)
  cowork incidents --project-dir cowork-demo
  cowork demo restore                   put every file back and rebuild: green again)");

  auto* init = app.add_subcommand("init", "Copy the example into a new workspace, commit it to git, and build it");
  init->add_option("dir", options->dir, std::string("The folder to create (default: ") + k_default_dir + ")");
  init->add_flag("--force", options->force, "Recreate the folder if it is already a demo workspace");

  auto* inject = app.add_subcommand("inject", "Inject faults (all when none are named), then build");
  std::string fault_help = "Faults to inject:";
  for (const auto& fault : demo::all_faults())
    fault_help += fmt::format("\n  {:<20} {}", fault.name, fault.summary);
  inject->add_option("faults", options->faults, fault_help);

  auto* restore = app.add_subcommand("restore", "Remove every fault (files back as init left them), then rebuild");
  auto* status = app.add_subcommand("status", "List the faults and which are injected");

  for (CLI::App* sub : {inject, restore, status})
    sub->add_option("--project-dir", options->dir,
                    std::string("The demo workspace (default: the current folder if it is one, else ") +
                        k_default_dir + ")");
  for (CLI::App* sub : {init, inject, restore}) {
    sub->add_option("--target", options->target, "The profile target to build (default: dev, DuckDB)");
    sub->add_flag("--no-build", options->no_build, "Only change the files; do not build afterwards");
  }
  return [options, init, inject, restore, status]() -> int {
    if (init->parsed()) return run_init(*options);
    if (inject->parsed()) return run_inject(*options);
    if (restore->parsed()) return run_restore(*options);
    if (status->parsed()) return run_status(*options);
    return k_exit_usage;
  };
}

}  // namespace cowork::cli
