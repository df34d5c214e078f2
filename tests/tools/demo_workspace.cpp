#include "demo_workspace.hpp"

#include <memory>
#include <stdexcept>

#include <gtest/gtest.h>

#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "tools/context.hpp"

namespace cowork::testing {
namespace {

struct Workspace {
  TempDir temp;
  std::filesystem::path dir;
  std::unique_ptr<tools::ToolContext> context;
};

void run_cowork(const std::vector<std::string>& args) {
  std::vector<std::string> argv{cowork_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult result = run_process(argv);
  // inject builds and exits 1 because tests fail: that is the point
  if (result.exit_code != 0 && result.exit_code != 1)
    throw std::runtime_error("cowork " + args[0] + " " + args[1] + " failed (" + std::to_string(result.exit_code) +
                             "):\n" + result.out + result.err);
}

Workspace& workspace() {
  static std::unique_ptr<Workspace> instance = [] {
    auto w = std::make_unique<Workspace>();
    w->dir = w->temp.path() / "airbnb";
    run_cowork({"demo", "init", w->dir.string(), "--force"});
    run_cowork(
        {"demo", "inject", "new_room_type", "null_host_ids", "duplicate_listings", "--project-dir", w->dir.string()});
    run_cowork({"demo", "inject", "renamed_column", "--project-dir", w->dir.string()});
    tools::ContextOptions options;
    options.project_dir = w->dir;
    auto context = tools::open_context(options);
    if (!context) throw std::runtime_error("open_context on the demo workspace: " + context.error().message);
    w->context = std::make_unique<tools::ToolContext>(std::move(*context));
    return w;
  }();
  return *instance;
}

}  // namespace

const std::filesystem::path& demo_dir() {
  return workspace().dir;
}

tools::ToolContext& demo_context() {
  return *workspace().context;
}

std::int64_t reported_failures(std::string_view test_name) {
  const auto& context = demo_context();
  if (!context.artifacts.run_results) return -1;
  for (const auto& result : context.artifacts.run_results->results)
    if (dbt::short_name(result.unique_id) == test_name && result.failures) return *result.failures;
  return -1;
}

tools::ToolOutput call_ok(std::string_view tool, const nlohmann::json& args) {
  tools::ToolCall call = tools::builtin_tools().call(demo_context(), tool, args);
  EXPECT_TRUE(call.ok()) << tool << " " << args.dump() << ": " << call.summary();
  if (!call.ok()) return {};
  return std::move(*call.output);
}

Error call_error(std::string_view tool, const nlohmann::json& args) {
  tools::ToolCall call = tools::builtin_tools().call(demo_context(), tool, args);
  EXPECT_FALSE(call.ok()) << tool << " " << args.dump() << " succeeded: " << call.summary();
  return call.error.value_or(Error{});
}

}  // namespace cowork::testing
