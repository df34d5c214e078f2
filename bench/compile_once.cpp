// Parse + compile of a dbt project in one process, phase by phase, without a warehouse or artifacts: the work the
// native engine does before it runs the first statement. Peak memory is this process's (getrusage), so it is the
// figure for parse+compile alone.
//   cowork_bench_compile PROJECT_DIR [ROUNDS]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <vector>

#include <fmt/format.h>

#include "dbt/compiler.hpp"
#include "dbt/project.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: cowork_bench_compile PROJECT_DIR [ROUNDS]\n";
    return 2;
  }
  const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  std::vector<double> load_times, create_times, compile_times, totals;
  std::size_t nodes = 0, compiled = 0;
  for (int round = 0; round < rounds; ++round) {
    const auto start = std::chrono::steady_clock::now();
    auto project = cowork::dbt::load_project(argv[1]);
    if (!project) {
      std::cerr << project.error().message << '\n';
      return 1;
    }
    const double loaded = seconds_since(start);
    cowork::dbt::ProfileTarget target;
    target.profile = project->settings.profile;
    target.target = "dev";
    target.type = "duckdb";
    target.schema = "main";
    target.database = "bench";
    auto compiler = cowork::dbt::Compiler::create(std::move(*project), target);
    if (!compiler) {
      std::cerr << compiler.error().message << '\n';
      return 1;
    }
    const double created = seconds_since(start);
    compiled = 0;
    for (auto& node : (*compiler)->nodes()) {
      if (node.resource_type == cowork::dbt::ResourceType::source ||
          node.resource_type == cowork::dbt::ResourceType::exposure ||
          node.resource_type == cowork::dbt::ResourceType::seed)
        continue;
      auto sql = (*compiler)->compile(node);
      if (!sql) {
        std::cerr << node.unique_id << ": " << sql.error().message << '\n';
        return 1;
      }
      ++compiled;
    }
    const double total = seconds_since(start);
    nodes = (*compiler)->nodes().size();
    load_times.push_back(loaded);
    create_times.push_back(created - loaded);
    compile_times.push_back(total - created);
    totals.push_back(total);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::cout << fmt::format(
      "{} nodes, {} compiled, {} rounds (median): read files {:.0f} ms, parse + resolve {:.0f} ms, compile {:.0f} ms, "
      "total {:.0f} ms; peak RSS {:.0f} MB\n",
      nodes, compiled, rounds, median(load_times) * 1000, median(create_times) * 1000, median(compile_times) * 1000,
      median(totals) * 1000, usage.ru_maxrss / 1024.0);
  return 0;
}
