#include "dbt/runner.hpp"

#include <chrono>
#include <map>
#include <queue>
#include <set>
#include <unordered_map>

#include "dbt/elementary.hpp"
#include "dbt/graph.hpp"
#include "dbt/manifest.hpp"
#include "dbt/materializations.hpp"
#include "dbt/run_results.hpp"
#include "dbt/seed_csv.hpp"
#include "dbt/selector.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

namespace cowork::dbt {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

bool runs_in(Command command, const ProjectNode& node) {
  switch (node.resource_type) {
    case ResourceType::model:
      return command != Command::test && command != Command::seed;
    case ResourceType::seed:
      return command == Command::build || command == Command::seed;
    case ResourceType::test:
      return command == Command::build || command == Command::test || command == Command::compile;
    case ResourceType::analysis:
      return command == Command::compile;
    default:
      return false;
  }
}

// A failure that stops what depends on it: an error, or a failing test of severity error.
bool blocks(const ExecutionResult& result) {
  return result.status == RunStatus::error || result.status == RunStatus::fail ||
         result.status == RunStatus::runtime_error || result.status == RunStatus::skipped;
}

std::string node_kind(const ProjectNode& node) {
  switch (node.resource_type) {
    case ResourceType::test:
      return "test";
    case ResourceType::seed:
      return "seed";
    case ResourceType::analysis:
      return "analysis";
    default:
      return "model";
  }
}

std::string first_line_indent(const std::string& message) {
  // dbt indents the database's message under the headline.
  std::string out;
  for (auto line : split(message, '\n')) {
    if (!out.empty()) out += '\n';
    out += "  " + std::string(line);
  }
  return out;
}

}  // namespace

std::string_view to_string(Command command) {
  switch (command) {
    case Command::build:
      return "build";
    case Command::run:
      return "run";
    case Command::test:
      return "test";
    case Command::seed:
      return "seed";
    case Command::compile:
      return "compile";
  }
  return "build";
}

Result<RunSummary> Runner::run(const RunOptions& options, const RunObserver& observer) {
  const auto started = Clock::now();
  auto& nodes = m_compiler.nodes();
  std::error_code ec;
  fs::create_directories(options.target_dir, ec);
  if (ec)
    return make_error(ErrorCode::permission_denied, "cannot create the target folder {}: {}",
                      options.target_dir.string(), ec.message());

  // Selection runs on the manifest as dbt would write it, with the previous run's results for `result:`.
  const fs::path manifest_path = options.target_dir / "manifest.json";
  const fs::path run_results_path = options.target_dir / "run_results.json";
  std::optional<RunResults> previous;
  if (fs::exists(run_results_path, ec)) {
    if (auto loaded = load_run_results(run_results_path)) previous = std::move(*loaded);
  }
  COWORK_TRY(write_manifest(manifest_path, m_compiler, m_context));
  COWORK_ASSIGN_OR_RETURN(auto manifest, load_manifest(manifest_path));
  auto graph = Graph::build(std::make_shared<const Manifest>(std::move(manifest)));
  SelectionOptions selection;
  selection.indirect = IndirectSelection::eager;
  selection.run_results = previous ? &*previous : nullptr;
  COWORK_ASSIGN_OR_RETURN(auto selected_ids, select_nodes(graph, options.select, options.exclude, selection));
  std::set<std::string> selected;
  for (auto id : selected_ids) selected.emplace(graph.node(id).unique_id);

  // The nodes of this run, and what each waits for.
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < nodes.size(); ++i) index.emplace(nodes[i].unique_id, i);
  std::vector<std::size_t> members;
  std::set<std::string> in_run;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (selected.contains(nodes[i].unique_id) && runs_in(options.command, nodes[i])) {
      members.push_back(i);
      in_run.insert(nodes[i].unique_id);
    }
  std::map<std::string, std::set<std::string>> waits_for;
  for (std::size_t i : members)
    for (const auto& parent : nodes[i].depends_on)
      if (in_run.contains(parent)) waits_for[nodes[i].unique_id].insert(parent);
  if (options.command == Command::build) {
    // A test guards the children of what it tests, as long as all it reads is upstream of that child.
    std::unordered_map<std::string, std::vector<char>> ancestors;
    auto ancestors_of = [&](const std::string& id) -> const std::vector<char>& {
      auto it = ancestors.find(id);
      if (it != ancestors.end()) return it->second;
      std::vector<char> seen(graph.size(), 0);
      if (auto gid = graph.find(id))
        for (const auto& reached : graph.walk(*gid, Direction::up)) seen[reached.node] = 1;
      return ancestors.emplace(id, std::move(seen)).first->second;
    };
    for (std::size_t t : members) {
      const ProjectNode& test = nodes[t];
      if (test.resource_type != ResourceType::test) continue;
      for (const auto& parent : test.depends_on) {
        auto pid = graph.find(parent);
        if (!pid) continue;
        for (NodeId child : graph.children(*pid)) {
          const std::string child_id(graph.node(child).unique_id);
          if (!in_run.contains(child_id) || nodes[index.at(child_id)].resource_type == ResourceType::test) continue;
          const auto& up = ancestors_of(child_id);
          const bool all_upstream =
              std::all_of(test.depends_on.begin(), test.depends_on.end(), [&](const std::string& d) {
                auto did = graph.find(d);
                return did && up[*did];
              });
          if (all_upstream) waits_for[child_id].insert(test.unique_id);
        }
      }
    }
  }

  // Kahn's order; among ready nodes, seeds and models before tests of later levels, then by unique id.
  std::map<std::string, std::size_t> pending;
  std::map<std::string, std::vector<std::string>> waited_by;
  for (std::size_t i : members) {
    const auto& id = nodes[i].unique_id;
    pending[id] = waits_for[id].size();
    for (const auto& dep : waits_for[id]) waited_by[dep].push_back(id);
  }
  std::set<std::string> ready;
  for (const auto& [id, count] : pending)
    if (count == 0) ready.insert(id);
  std::vector<std::string> order;
  // Among ready nodes: tests first (a failing test stops its children early), then seeds (source tables are often
  // loaded by seeds, which dbt's graph cannot see), then the rest by unique id.
  auto rank = [&](const std::string& id) {
    switch (nodes[index.at(id)].resource_type) {
      case ResourceType::test:
        return 0;
      case ResourceType::seed:
        return 1;
      default:
        return 2;
    }
  };
  while (!ready.empty()) {
    auto pick = std::min_element(ready.begin(), ready.end(), [&](const std::string& a, const std::string& b) {
      return std::pair(rank(a), a) < std::pair(rank(b), b);
    });
    const std::string id = *pick;
    ready.erase(pick);
    order.push_back(id);
    for (const auto& next : waited_by[id])
      if (--pending[next] == 0) ready.insert(next);
  }

  std::size_t total = 0;
  for (const auto& id : order)
    if (nodes[index.at(id)].materialized() != "ephemeral" || nodes[index.at(id)].resource_type != ResourceType::model)
      ++total;

  RunSummary summary;
  std::unordered_map<std::string, ExecutionResult> done;  // by unique id, ephemerals included
  std::map<std::string, nlohmann::json> failed_rows;
  bool stop = false;
  std::size_t position = 0;
  std::map<std::string, std::size_t> kinds;
  for (const auto& id : order) {
    ProjectNode& node = nodes[index.at(id)];
    const bool ephemeral = node.resource_type == ResourceType::model && node.materialized() == "ephemeral";
    ExecutionResult result;
    result.unique_id = id;
    result.relation_name = node.relation_name.empty() ? std::nullopt : std::optional<std::string>(node.relation_name);
    bool blocked = stop;
    for (const auto& dep : waits_for[id]) {
      auto it = done.find(dep);
      if (it != done.end() && blocks(it->second)) blocked = true;
    }
    if (ephemeral) {
      // Nothing to run: it is inlined into its children. It only passes on an upstream failure.
      result.status = blocked ? RunStatus::skipped : RunStatus::success;
      done.emplace(id, result);
      continue;
    }
    ++position;
    if (observer) observer({RunEvent::Kind::started, position, total, &node, nullptr});
    const auto node_started = Clock::now();
    if (blocked) {
      result.status = RunStatus::skipped;
    } else {
      result.compile_started_at = utc_now_iso();
      CompileState state;
      Result<std::string> compiled;
      if (node.resource_type == ResourceType::seed) {
        compiled = std::string();
      } else {
        if (node.resource_type == ResourceType::model && node.materialized() == "incremental" &&
            !options.full_refresh && options.command != Command::compile) {
          auto existing = relation_type(m_warehouse, node.schema, node.alias);
          state.is_incremental = existing && existing->has_value() && **existing == "table";
        }
        compiled = m_compiler.compile(node, state);
      }
      result.compile_completed_at = utc_now_iso();
      const std::string label = fmt::format("{} {} ({})", node_kind(node), node.name, node.original_file_path);
      if (!compiled) {
        result.status = RunStatus::error;
        result.message = "Compilation Error in " + label + "\n" + first_line_indent(compiled.error().message);
      } else {
        if (node.resource_type != ResourceType::seed) result.compiled_code = *compiled;
        result.execute_started_at = utc_now_iso();
        if (options.command == Command::compile) {
          result.status = RunStatus::success;
          result.message = "Compiled " + label;
        } else if (node.resource_type == ResourceType::seed) {
          const ProjectFile* file = nullptr;
          for (const auto& seed : m_compiler.project().seeds)
            if (seed.path == node.original_file_path) file = &seed;
          auto table = file == nullptr
                           ? Result<SeedTable>(make_error(ErrorCode::not_found, "{} is gone", node.original_file_path))
                           : parse_seed_csv(file->contents, file->path,
                                            node.config.value("column_types", nlohmann::json::object()));
          Result<BuildOutcome> outcome =
              table ? load_seed(m_warehouse, node, *table) : Result<BuildOutcome>(std::unexpected(table.error()));
          if (outcome) {
            result.status = RunStatus::success;
            result.message = outcome->message;
            result.adapter_response = {
                {"_message", outcome->message}, {"code", outcome->code}, {"rows_affected", outcome->rows_affected}};
          } else {
            result.status = RunStatus::error;
            result.message = "Runtime Error in " + label + "\n" + first_line_indent(outcome.error().message);
          }
        } else if (node.resource_type == ResourceType::test) {
          auto outcome = run_test_query(m_warehouse, node, *compiled);
          if (outcome) {
            result.status = outcome->status;
            result.failures = outcome->failures;
            result.message = outcome->message.empty() ? std::nullopt : std::optional<std::string>(outcome->message);
            result.adapter_response = {{"_message", "OK"}};
            if (outcome->status != RunStatus::pass && options.elementary) {
              if (auto rows = sample_failed_rows(m_warehouse, *compiled, options.failed_row_sample))
                failed_rows[id] = *rows;
            }
          } else {
            result.status = RunStatus::error;
            result.message = "Database Error in " + label + "\n" + first_line_indent(outcome.error().message);
          }
        } else {
          Status status;
          if (auto pre = m_compiler.render_hooks(node, "pre_hook"); !pre) {
            status = std::unexpected(pre.error());
          } else {
            for (const auto& hook : *pre)
              if (status) status = m_warehouse.execute(hook);
          }
          Result<BuildOutcome> outcome = status ? materialize_model(m_warehouse, node, *compiled, options.full_refresh)
                                                : Result<BuildOutcome>(std::unexpected(status.error()));
          if (outcome) {
            auto post = m_compiler.render_hooks(node, "post_hook");
            if (!post) {
              outcome = std::unexpected(post.error());
            } else {
              for (const auto& hook : *post)
                if (auto ran = m_warehouse.execute(hook); !ran) outcome = std::unexpected(ran.error());
            }
          }
          if (outcome) {
            result.status = RunStatus::success;
            result.message = outcome->message;
            result.adapter_response = {{"_message", outcome->message}, {"code", outcome->code}};
            if (outcome->rows_affected >= 0) result.adapter_response["rows_affected"] = outcome->rows_affected;
          } else {
            result.status = RunStatus::error;
            result.message = "Database Error in " + label + "\n" + first_line_indent(outcome.error().message);
          }
        }
        result.execute_completed_at = utc_now_iso();
      }
    }
    result.execution_time = std::chrono::duration<double>(Clock::now() - node_started).count();
    if (options.fail_fast && (result.status == RunStatus::error || result.status == RunStatus::fail)) stop = true;
    switch (result.status) {
      case RunStatus::success:
      case RunStatus::pass:
        ++summary.passed;
        break;
      case RunStatus::warn:
        ++summary.warned;
        break;
      case RunStatus::skipped:
        ++summary.skipped;
        break;
      default:
        ++summary.errored;
        break;
    }
    if (node.resource_type == ResourceType::test) {
      ++kinds["data test"];
    } else if (node.resource_type == ResourceType::seed) {
      ++kinds["seed"];
    } else if (node.resource_type == ResourceType::analysis) {
      ++kinds["analysis"];
    } else {
      ++kinds[node.materialized() + " model"];
    }
    summary.results.push_back(result);
    done.emplace(id, result);
    if (observer) observer({RunEvent::Kind::finished, position, total, &node, &summary.results.back()});
  }
  summary.elapsed_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::vector<std::string> parts;
  for (const auto& [kind, count] : kinds) {
    std::string plural = kind == "analysis" ? "analyses" : kind + "s";
    parts.push_back(fmt::format("{} {}", count, count == 1 ? kind : plural));
  }
  summary.what_ran = join(parts, ", ");

  // Artifacts: the manifest again (now with compiled code), the results, the compiled SQL files.
  COWORK_TRY(write_manifest(manifest_path, m_compiler, m_context));
  COWORK_TRY(write_run_results(
      run_results_path, summary.results, summary.elapsed_seconds, std::string(to_string(options.command)), m_context,
      {{"select", options.select}, {"exclude", options.exclude}, {"full_refresh", options.full_refresh}}));
  bool compiled_write_failed = false;
  for (const auto& result : summary.results) {
    if (!result.compiled_code) continue;
    const ProjectNode& node = nodes[index.at(result.unique_id)];
    const fs::path file =
        options.target_dir / "compiled" / node.package_name /
        (node.test ? fs::path(node.original_file_path).parent_path() / node.path : fs::path(node.original_file_path));
    fs::create_directories(file.parent_path(), ec);
    // Regenerated by every run, so written without an fsync per file; the first failure is reported once.
    if (auto written = write_file(file, *result.compiled_code); !written && !compiled_write_failed) {
      summary.warnings.push_back("compiled SQL not saved: " + written.error().message);
      compiled_write_failed = true;
    }
  }
  const bool tests_ran = std::any_of(summary.results.begin(), summary.results.end(), [&](const ExecutionResult& r) {
    return nodes[index.at(r.unique_id)].resource_type == ResourceType::test && r.status != RunStatus::skipped;
  });
  if (options.elementary && tests_ran && options.command != Command::compile) {
    ElementaryRun run;
    run.invocation_id = m_context.invocation_id;
    std::string now = utc_now_iso();
    run.detected_at = now.substr(0, 10) + " " + now.substr(11, 8);
    run.results = summary.results;
    run.failed_rows = std::move(failed_rows);
    if (auto written = write_elementary_tables(m_warehouse, m_compiler, run); !written)
      summary.warnings.push_back("Elementary's tables were not written: " + written.error().message);
  }
  return summary;
}

}  // namespace cowork::dbt
