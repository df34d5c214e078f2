// The native runner behind `cowork build / run / test / seed / compile`: selects nodes with dbt's selector syntax,
// orders them as `dbt build` does (a node's tests right after it; an error, or a failing test of severity error,
// skips everything downstream), compiles and executes each on the warehouse, reports progress as it goes, and
// writes target/manifest.json, target/run_results.json, the compiled SQL and Elementary's tables.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "dbt/artifact_writer.hpp"
#include "dbt/compiler.hpp"
#include "util/error.hpp"
#include "warehouse/warehouse.hpp"

namespace cowork::dbt {

enum class Command { build, run, test, seed, compile };
std::string_view to_string(Command command);

struct RunOptions {
  Command command = Command::build;
  std::vector<std::string> select;
  std::vector<std::string> exclude;
  bool full_refresh = false;
  bool fail_fast = false;              // stop at the first error or failing test
  bool elementary = true;              // write Elementary's tables after tests run
  std::filesystem::path target_dir;    // where the artifacts go (usually <project>/target)
  std::int64_t failed_row_sample = 5;  // rows of each failing test kept for Elementary's test_result_rows
};

// One line of progress: a node starts, or it is done (then `result` is set).
struct RunEvent {
  enum class Kind { started, finished } kind = Kind::started;
  std::size_t index = 0;  // 1-based position in the run
  std::size_t total = 0;
  const ProjectNode* node = nullptr;
  const ExecutionResult* result = nullptr;
};
using RunObserver = std::function<void(const RunEvent&)>;

struct RunSummary {
  std::vector<ExecutionResult> results;
  double elapsed_seconds = 0;
  std::size_t passed = 0, warned = 0, errored = 0, skipped = 0;
  // "4 seeds, 7 view models, 1 table model, 22 data tests"
  std::string what_ran;
  std::vector<std::string> warnings;  // things that did not stop the run (Elementary's tables not written...)
  bool ok() const { return errored == 0; }
};

class Runner {
 public:
  Runner(Compiler& compiler, warehouse::Warehouse& warehouse, ArtifactContext context)
      : m_compiler(compiler), m_warehouse(warehouse), m_context(std::move(context)) {}

  // Runs the command. The Result is an error only when the run could not happen at all (a bad selector, artifacts
  // that cannot be written); failing nodes are results in the summary.
  Result<RunSummary> run(const RunOptions& options, const RunObserver& observer = {});

 private:
  Compiler& m_compiler;
  warehouse::Warehouse& m_warehouse;
  ArtifactContext m_context;
};

}  // namespace cowork::dbt
