#include "fixes/verifier.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "dbt/artifact_writer.hpp"
#include "dbt/artifacts.hpp"
#include "dbt/compiler.hpp"
#include "dbt/engine.hpp"
#include "dbt/project.hpp"
#include "dbt/run_results.hpp"
#include "dbt/runner.hpp"
#include "fixes/project_files.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"
#include "warehouse/warehouse.hpp"

namespace cowork::fixes {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using dbt::ProjectNode;
using dbt::ResourceType;

constexpr std::string_view k_sandbox_database = "cowork_sandbox";

// A folder under $TMPDIR for one verification, removed with everything in it when the verification ends.
class ScratchDir {
 public:
  static Result<ScratchDir> create() {
    std::error_code ec;
    const char* tmp = std::getenv("TMPDIR");
    const fs::path base = tmp != nullptr && *tmp != '\0' ? fs::path(tmp) : fs::temp_directory_path(ec);
    std::string pattern = (base / "cowork-verify-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      return make_error(ErrorCode::permission_denied, "cannot create a scratch folder under {}: {}", base.string(),
                        std::strerror(errno));
    return ScratchDir(fs::path(pattern));
  }
  ScratchDir(ScratchDir&& other) noexcept : m_path(std::exchange(other.m_path, {})) {}
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    if (!m_path.empty()) fs::remove_all(m_path, ec);
  }
  const fs::path& path() const { return m_path; }

 private:
  explicit ScratchDir(fs::path path) : m_path(std::move(path)) {}
  fs::path m_path;
};

// What the sandbox never copies: build output, logs, local databases, cowork's own state, git's history.
bool skipped_in_copy(const fs::path& relative, const std::string& target_folder) {
  const std::string first = relative.begin()->string();
  if (first == "target" || first == "logs" || first == ".cowork" || first == ".git" || first == target_folder)
    return true;
  const std::string name = relative.filename().string();
  return name.ends_with(".duckdb") || name.ends_with(".duckdb.wal");
}

Status copy_project(const fs::path& from, const fs::path& to, const std::string& target_folder) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return make_error(ErrorCode::permission_denied, "cannot create {}: {}", to.string(), ec.message());
  for (auto it = fs::recursive_directory_iterator(from, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const fs::path relative = it->path().lexically_relative(from);
    if (skipped_in_copy(relative, target_folder)) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    const fs::path destination = to / relative;
    if (it->is_directory(ec)) {
      fs::create_directories(destination, ec);
    } else if (it->is_regular_file(ec)) {
      fs::copy_file(it->path(), destination, fs::copy_options::overwrite_existing, ec);
    }
    if (ec)
      return make_error(ErrorCode::permission_denied, "cannot copy {} into the sandbox: {}", it->path().string(),
                        ec.message());
  }
  if (ec) return make_error(ErrorCode::permission_denied, "cannot read {}: {}", from.string(), ec.message());
  return {};
}

// The warehouse as the sandbox run sees it: every call is refused once the verification's time is up (and each
// statement may run only for the time left); on PostgreSQL every statement runs under a savepoint, so one failing
// model leaves the surrounding transaction usable, and the runner's own transactions become savepoints. Errors that
// say the warehouse itself is the problem (gone, too slow) are remembered: they make the outcome unverified.
class SandboxWarehouse : public warehouse::ForwardingWarehouse {
 public:
  SandboxWarehouse(std::unique_ptr<warehouse::Warehouse> inner, Clock::time_point deadline,
                   std::chrono::seconds budget, bool savepoints)
      : ForwardingWarehouse(std::move(inner)), m_deadline(deadline), m_budget(budget), m_savepoints(savepoints) {}

  Result<warehouse::QueryResult> query(std::string_view sql, const warehouse::QueryOptions& options = {}) override {
    COWORK_ASSIGN_OR_RETURN(auto bounded, bound(options));
    return guarded([&] { return inner().query(sql, bounded); });
  }
  Status execute(std::string_view sql, const warehouse::QueryOptions& options = {}) override {
    COWORK_ASSIGN_OR_RETURN(auto bounded, bound(options));
    return guarded([&] { return inner().execute(sql, bounded); });
  }
  Status begin() override { return m_savepoints ? inner().execute("savepoint cowork_nested") : inner().begin(); }
  Status commit() override {
    return m_savepoints ? inner().execute("release savepoint cowork_nested") : inner().commit();
  }
  Status rollback() override {
    return m_savepoints ? inner().execute("rollback to savepoint cowork_nested") : inner().rollback();
  }
  Result<bool> relation_exists(std::string_view schema, std::string_view name) override {
    COWORK_TRY(bound({}));
    return guarded([&] { return inner().relation_exists(schema, name); });
  }
  Result<std::vector<warehouse::Column>> relation_columns(std::string_view schema, std::string_view name) override {
    COWORK_TRY(bound({}));
    return guarded([&] { return inner().relation_columns(schema, name); });
  }

  // The transaction around the whole run (PostgreSQL).
  Status open_transaction() { return inner().begin(); }
  Status discard_transaction() { return inner().rollback(); }

  // The first error that was the warehouse's fault rather than the fix's.
  const std::optional<Error>& infrastructure_error() const { return m_infrastructure; }

 private:
  Result<warehouse::QueryOptions> bound(warehouse::QueryOptions options) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(m_deadline - Clock::now());
    if (left.count() <= 0) {
      Error error{ErrorCode::timeout, fmt::format("the sandbox run did not finish within {} s", m_budget.count())};
      if (!m_infrastructure) m_infrastructure = error;
      return std::unexpected(std::move(error));
    }
    if (options.timeout.count() <= 0 || options.timeout > left) options.timeout = left;
    return options;
  }

  template <typename F>
  auto guarded(F&& call) -> decltype(call()) {
    if (m_savepoints) {
      if (auto opened = inner().execute("savepoint cowork_step"); !opened) return std::unexpected(note(opened.error()));
    }
    auto result = call();
    if (m_savepoints) {
      if (result) {
        if (auto released = inner().execute("release savepoint cowork_step"); !released)
          return std::unexpected(note(released.error()));
      } else {
        (void)inner().execute("rollback to savepoint cowork_step");
      }
    }
    if (!result) note(result.error());
    return result;
  }

  Error note(const Error& error) {
    if (!m_infrastructure && (error.code == ErrorCode::timeout || error.code == ErrorCode::unavailable))
      m_infrastructure = error;
    return error;
  }

  Clock::time_point m_deadline;
  std::chrono::seconds m_budget;
  bool m_savepoints;
  std::optional<Error> m_infrastructure;
};

struct Prior {
  std::string status;
  std::optional<std::int64_t> failures;
};

bool is_model_like(const ProjectNode& node) {
  return node.resource_type == ResourceType::model || node.resource_type == ResourceType::seed;
}

bool is_ephemeral(const ProjectNode& node) {
  return node.resource_type == ResourceType::model && node.materialized() == "ephemeral";
}

// The compiled SQL of every model and test, or the compiler's error.
using CompiledSql = std::unordered_map<std::string, Result<std::string>>;

CompiledSql compile_all(dbt::Compiler& compiler) {
  CompiledSql out;
  for (auto& node : compiler.nodes())
    if (node.resource_type == ResourceType::model || node.resource_type == ResourceType::test)
      out.emplace(node.unique_id, compiler.compile(node));
  return out;
}

// The test of the patched project that replaces `original` when the edit renamed it (changing an accepted_values
// list changes the test's name): a new test of the same macro on the same node and column.
const ProjectNode* replacement_test(const ProjectNode& original, const dbt::Compiler& before,
                                    const dbt::Compiler& after) {
  for (const auto& node : after.nodes()) {
    if (node.resource_type != ResourceType::test || before.find(node.unique_id) != nullptr) continue;
    if (node.test_macro == original.test_macro && node.attached_node == original.attached_node &&
        node.column_name == original.column_name && !original.test_macro.empty())
      return &node;
  }
  return nullptr;
}

std::string dotted_fqn(const ProjectNode& node) {
  return node.fqn.empty() ? node.name : join(node.fqn, ".");
}

std::string failures_text(const std::optional<std::int64_t>& failures) {
  if (!failures) return "";
  return fmt::format(" ({} failure{})", *failures, *failures == 1 ? "" : "s");
}

bool passes(std::string_view status, bool warn_counts) {
  return status == "pass" || status == "success" || (warn_counts && status == "warn");
}

bool breaks(std::string_view status) {
  return status == "fail" || status == "error" || status == "runtime error";
}

Verification outcome(VerifyStatus status, std::string detail) {
  Verification v;
  v.status = status;
  v.detail = std::move(detail);
  return v;
}

// The DuckDB file a profile's `path` names. dbt-duckdb takes a relative path from the working directory, and dbt
// runs from the project folder, so that is where it is looked for: a stray file of the same name in whatever folder
// the verifier happens to run in must never stand in for the project's warehouse.
std::optional<fs::path> find_database_file(const std::string& path, const fs::path& project_dir) {
  std::error_code ec;
  const fs::path file = dbt::resolve_duckdb_path(path, project_dir);
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  return fs::absolute(file, ec).lexically_normal();
}

struct Sandbox {
  std::unique_ptr<SandboxWarehouse> warehouse;
  std::string real_database;  // DuckDB: the alias of the attached real database
  bool transaction = false;   // PostgreSQL: the run is inside a transaction to roll back
};

// Opens the sandbox for `target` (already pointing at the scratch database on DuckDB). Errors are reasons to report
// the fix as unverified.
Result<Sandbox> open_sandbox(const dbt::ProfileTarget& real_target, const dbt::ProfileTarget& sandbox_target,
                             const fs::path& project_dir, Clock::time_point deadline, std::chrono::seconds budget) {
  COWORK_ASSIGN_OR_RETURN(auto config, dbt::connection_config(sandbox_target));
  Sandbox sandbox;
  if (real_target.type == "duckdb") {
    const std::string path = real_target.settings.value("path", std::string());
    if (path.empty() || path == ":memory:")
      return make_error(ErrorCode::invalid_argument,
                        "target '{}' uses an in-memory DuckDB, so there is no warehouse to verify against",
                        real_target.target);
    auto file = find_database_file(path, project_dir);
    if (!file)
      return make_error(ErrorCode::not_found,
                        "the DuckDB database {} of target '{}' does not exist in {}; build the project there "
                        "(cowork build) and verify again",
                        path, real_target.target, project_dir.string());
    sandbox.real_database = file->stem().string();
    config.attach_read_only = {{file->string(), sandbox.real_database}};
    config.access = warehouse::AccessMode::read_write;
    COWORK_ASSIGN_OR_RETURN(auto opened, warehouse::open_warehouse(config));
    sandbox.warehouse = std::make_unique<SandboxWarehouse>(std::move(opened), deadline, budget, false);
    return sandbox;
  }
  if (real_target.type == "postgres") {
    config.access = warehouse::AccessMode::read_write;
    COWORK_ASSIGN_OR_RETURN(auto opened, warehouse::open_warehouse(config));
    sandbox.warehouse = std::make_unique<SandboxWarehouse>(std::move(opened), deadline, budget, true);
    COWORK_TRY(sandbox.warehouse->open_transaction());
    sandbox.transaction = true;
    return sandbox;
  }
  return make_error(ErrorCode::invalid_argument,
                    "the sandbox runs on DuckDB and PostgreSQL; target '{}' is of type '{}'", real_target.target,
                    real_target.type);
}

// Everything the verification knows before the sandbox run, and what it decided to run.
class Verifier {
 public:
  Verifier(const VerifyRequest& request, dbt::ProfileTarget target, std::unordered_map<std::string, Prior> prior,
           fs::path scratch, std::vector<std::string> notes)
      : m_request(request),
        m_target(std::move(target)),
        m_prior(std::move(prior)),
        m_scratch(std::move(scratch)),
        m_notes(std::move(notes)) {}

  Result<Verification> run();

 private:
  Result<std::optional<Verification>> prepare();
  Verification evaluate(const dbt::RunSummary& summary);
  Prior prior(const std::string& id) const {
    auto it = m_prior.find(id);
    return it == m_prior.end() ? Prior{"unknown", std::nullopt} : it->second;
  }

  const VerifyRequest& m_request;
  dbt::ProfileTarget m_target;
  std::unordered_map<std::string, Prior> m_prior;
  fs::path m_scratch;
  std::vector<std::string> m_notes;

  dbt::ProfileTarget m_sandbox_target;
  std::string m_sandbox_database;  // the database name relations carry in the sandbox
  std::string m_invocation_id;
  std::unique_ptr<dbt::Compiler> m_before, m_after;
  std::vector<std::pair<std::string, std::string>> m_targets;  // target test id -> its id in the patched project
  std::set<std::string> m_build;                               // models and seeds to build
  std::set<std::string> m_tests;                               // tests to run
  std::set<std::string> m_read;                                // relations read but not rebuilt
};

Result<Verification> Verifier::run() {
  COWORK_ASSIGN_OR_RETURN(auto early, prepare());
  if (early) return std::move(*early);

  const auto deadline = Clock::now() + m_request.timeout;
  auto opened = open_sandbox(m_target, m_sandbox_target, m_request.project_dir, deadline, m_request.timeout);
  if (!opened) return outcome(VerifyStatus::unverified, "cannot open the sandbox: " + opened.error().message);
  Sandbox sandbox = std::move(*opened);
  SandboxWarehouse& warehouse = *sandbox.warehouse;

  if (!sandbox.real_database.empty()) {
    // Relations the run reads but does not rebuild: views over the real database, under the sandbox's own names.
    std::vector<std::string> missing;
    std::set<std::string> schemas, viewed;
    for (const auto& id : m_read) {
      const ProjectNode* node = m_after->find(id);
      if (node == nullptr || node->database != m_sandbox_database) continue;
      const std::string name = node->resource_type == ResourceType::source ? node->identifier : node->alias;
      // A source and the seed that loads it (the demo's raw_listings) are one relation: one view.
      if (!viewed.insert(node->schema + "." + name).second) continue;
      auto exists = warehouse.relation_exists(sandbox.real_database + "." + node->schema, name);
      if (!exists)
        return outcome(VerifyStatus::unverified, "cannot read the real database: " + exists.error().message);
      if (!*exists) {
        missing.push_back(fmt::format("{}.{}.{} ({})", sandbox.real_database, node->schema, name, id));
        continue;
      }
      std::string sql;
      if (schemas.insert(node->schema).second)
        sql = fmt::format("create schema if not exists {};\n", warehouse.quote(node->schema));
      sql += fmt::format("create view {}.{} as select * from {}.{}.{}", warehouse.quote(node->schema),
                         warehouse.quote(name), warehouse.quote(sandbox.real_database), warehouse.quote(node->schema),
                         warehouse.quote(name));
      if (auto made = warehouse.execute(sql); !made)
        return outcome(VerifyStatus::unverified,
                       fmt::format("cannot set up the sandbox view of {}: {}", id, made.error().message));
    }
    if (!missing.empty())
      return outcome(VerifyStatus::unverified,
                     fmt::format("the real database lacks {}, which the changed nodes read; build the project "
                                 "(cowork build) and verify again",
                                 join(missing, ", ")));
  }

  std::vector<std::string> select;
  for (const auto& id : m_build) select.push_back(dotted_fqn(*m_after->find(id)));
  for (const auto& id : m_tests) select.push_back(dotted_fqn(*m_after->find(id)));
  dbt::RunOptions options;
  options.command = dbt::Command::build;
  options.select = std::move(select);
  options.elementary = false;
  options.target_dir = m_scratch / "project" / "target";
  dbt::ArtifactContext context{m_invocation_id, dbt::utc_now_iso(), m_sandbox_target.type,
                               m_after->project().settings.name};
  dbt::Runner runner(*m_after, warehouse, context);
  auto summary = runner.run(options);
  Status rolled_back;
  if (sandbox.transaction) rolled_back = warehouse.discard_transaction();

  if (!summary) return outcome(VerifyStatus::unverified, "the sandbox run could not start: " + summary.error().message);
  if (const auto& error = warehouse.infrastructure_error())
    return outcome(VerifyStatus::unverified, "the sandbox run was cut short: " + error->message);
  Verification verification = evaluate(*summary);
  if (!rolled_back)
    verification.detail += " (the sandbox transaction could not be rolled back explicitly: " +
                           rolled_back.error().message + "; the server discards it when the connection closes)";
  return verification;
}

Result<std::optional<Verification>> Verifier::prepare() {
  using Early = std::optional<Verification>;
  const auto& settings = m_target.settings;
  m_sandbox_target = m_target;
  if (m_target.type == "duckdb") {
    // The scratch file's stem is the database name every sandbox relation carries; it must differ from the real one.
    std::string name(k_sandbox_database);
    const auto path = settings.find("path");
    if (path != settings.end() && path->is_string() && fs::path(path->get<std::string>()).stem() == name)
      name += "_scratch";
    m_sandbox_target.settings["path"] = (m_scratch / (name + ".duckdb")).string();
    m_sandbox_database = name;
  } else {
    m_sandbox_database = m_target.database;
  }

  auto before_project = dbt::load_project(m_request.project_dir);
  if (!before_project)
    return Early(outcome(VerifyStatus::unverified,
                         "cowork's engine cannot read the project: " + before_project.error().message));
  auto after_project = dbt::load_project(m_scratch / "project");
  if (!after_project)
    return Early(outcome(VerifyStatus::failed, "the patched project does not load: " + after_project.error().message));
  m_invocation_id = dbt::new_invocation_id();
  dbt::CompileOptions options;
  options.invocation_id = m_invocation_id;
  options.run_started_at = dbt::utc_now_iso();
  auto before = dbt::Compiler::create(std::move(*before_project), m_sandbox_target, options);
  if (!before)
    return Early(
        outcome(VerifyStatus::unverified, "cowork's engine cannot compile the project: " + before.error().message));
  auto after = dbt::Compiler::create(std::move(*after_project), m_sandbox_target, options);
  if (!after)
    return Early(outcome(VerifyStatus::failed, "the patched project does not compile: " + after.error().message));
  m_before = std::move(*before);
  m_after = std::move(*after);

  for (const auto& id : m_request.target_tests) {
    const ProjectNode* original = m_before->find(id);
    const ProjectNode* now = m_after->find(id);
    const ProjectNode* known = original != nullptr ? original : now;
    if (known == nullptr)
      return make_error(ErrorCode::invalid_argument, "{} is not a node of the project at {}", id,
                        m_request.project_dir.string());
    if (known->resource_type != ResourceType::test)
      return make_error(ErrorCode::invalid_argument, "{} is a {}, not a test; target_tests lists the failing tests", id,
                        dbt::to_string(known->resource_type));
    if (now == nullptr) now = replacement_test(*original, *m_before, *m_after);
    if (now == nullptr)
      return Early(outcome(VerifyStatus::unverified,
                           fmt::format("the edits remove or disable test {} ({}), so there is no test to re-run; "
                                       "the fix silences the failure rather than making the test pass",
                                       original->name, original->original_file_path)));
    m_targets.emplace_back(id, now->unique_id);
  }

  // The changed nodes: defined in an edited file, new, configured differently, or compiling to different SQL (an
  // edited macro changes no model file but every model that calls it).
  const CompiledSql before_sql = compile_all(*m_before);
  const CompiledSql after_sql = compile_all(*m_after);
  auto same_sql = [&](const std::string& id) {
    auto a = before_sql.find(id);
    auto b = after_sql.find(id);
    if (a == before_sql.end() || b == after_sql.end() || a->second.has_value() != b->second.has_value()) return false;
    return a->second ? *a->second == *b->second : a->second.error().message == b->second.error().message;
  };
  std::set<std::string> edited;
  for (const auto& edit : m_request.edits) edited.insert(fs::path(edit.path).lexically_normal().generic_string());
  std::set<std::string> changed_tests;
  for (const auto& node : m_after->nodes()) {
    const ProjectNode* old = m_before->find(node.unique_id);
    const bool changed = edited.contains(node.original_file_path) || old == nullptr || old->config != node.config ||
                         (node.resource_type != ResourceType::seed && !same_sql(node.unique_id));
    if (!changed) continue;
    if (is_model_like(node)) m_build.insert(node.unique_id);
    if (node.resource_type == ResourceType::test) changed_tests.insert(node.unique_id);
  }

  // Everything downstream of a changed model is rebuilt, so nothing in the sandbox mixes old and new data.
  std::unordered_map<std::string, std::vector<const ProjectNode*>> children;
  for (const auto& node : m_after->nodes())
    for (const auto& parent : node.depends_on) children[parent].push_back(&node);
  std::vector<std::string> frontier(m_build.begin(), m_build.end());
  while (!frontier.empty()) {
    const std::string id = std::move(frontier.back());
    frontier.pop_back();
    for (const ProjectNode* child : children[id])
      if (is_model_like(*child) && m_build.insert(child->unique_id).second) frontier.push_back(child->unique_id);
  }
  m_tests = changed_tests;
  for (const auto& [target, now] : m_targets) m_tests.insert(now);
  for (const auto& node : m_after->nodes())
    if (node.resource_type == ResourceType::test &&
        std::any_of(node.depends_on.begin(), node.depends_on.end(),
                    [&](const std::string& parent) { return m_build.contains(parent); }))
      m_tests.insert(node.unique_id);
  if (m_build.empty() && m_tests.empty())
    return Early(outcome(VerifyStatus::unverified,
                         "the edits change no model, seed or test of the project, so there is nothing to run"));

  // A node the engine could not compile before the edit either is a limit of cowork's engine, not of the fix.
  std::set<std::string> running = m_build;
  running.insert(m_tests.begin(), m_tests.end());
  for (const auto& id : running) {
    auto now = after_sql.find(id);
    auto then = before_sql.find(id);
    if (now == after_sql.end() || now->second || then == before_sql.end() || then->second) continue;
    const ProjectNode* node = m_after->find(id);
    return Early(outcome(VerifyStatus::unverified,
                         fmt::format("cowork's engine cannot compile {} {} ({}), with or without the fix: {}",
                                     dbt::to_string(node->resource_type), node->name, node->original_file_path,
                                     then->second.error().message)));
  }

  // What the run reads without rebuilding it; ephemeral models are inlined, so their parents are read instead.
  std::set<std::string> visited;
  std::function<void(const std::string&)> reads = [&](const std::string& id) {
    if (m_build.contains(id) || !visited.insert(id).second) return;
    const ProjectNode* node = m_after->find(id);
    if (node == nullptr) return;
    if (is_ephemeral(*node)) {
      for (const auto& parent : node->depends_on) reads(parent);
      return;
    }
    if ((is_model_like(*node) || node->resource_type == ResourceType::source) && !node->relation_name.empty())
      m_read.insert(id);
  };
  for (const auto& id : running)
    for (const auto& parent : m_after->find(id)->depends_on) reads(parent);
  // A source loaded by a seed that is rebuilt is that seed's relation: the sandbox has it already.
  std::set<std::string> rebuilt;
  for (const auto& id : m_build) rebuilt.insert(m_after->find(id)->relation_name);
  std::erase_if(m_read, [&](const std::string& id) { return rebuilt.contains(m_after->find(id)->relation_name); });
  return Early();
}

Verification Verifier::evaluate(const dbt::RunSummary& summary) {
  Verification v;
  std::unordered_map<std::string, const dbt::ExecutionResult*> results;
  for (const auto& result : summary.results) results.emplace(result.unique_id, &result);
  auto name_of = [&](const std::string& id) {
    const ProjectNode* node = m_after->find(id);
    if (node == nullptr) node = m_before->find(id);
    return node != nullptr ? node->name : id;
  };
  std::vector<std::string> broke, fixed, still_failing;

  for (const auto& result : summary.results) {
    const ProjectNode* node = m_after->find(result.unique_id);
    if (node == nullptr || !is_model_like(*node)) continue;
    if (result.status == dbt::RunStatus::success) {
      v.built.push_back(result.unique_id);
    } else if (result.status != dbt::RunStatus::skipped) {
      broke.push_back(fmt::format("{} {} does not build: {}", dbt::to_string(node->resource_type), node->name,
                                  one_line(result.message.value_or("no message"), 600)));
    }
  }

  std::set<std::string> targets_now;
  for (const auto& [target, now] : m_targets) {
    targets_now.insert(now);
    const Prior before = prior(target);
    TestOutcome test{target, before.status, "not run", before.failures, std::nullopt};
    if (auto it = results.find(now); it != results.end()) {
      test.after = std::string(dbt::to_string(it->second->status));
      test.failures_after = it->second->failures;
    }
    const std::string renamed = now == target ? "" : fmt::format(" (renamed to {} by the edit)", name_of(now));
    const std::string change = fmt::format("{}{}: {}{} -> {}{}", name_of(target), renamed, test.before,
                                           failures_text(test.failures_before), test.after,
                                           failures_text(test.failures_after));
    if (passes(test.after, m_request.warn_counts_as_pass)) {
      fixed.push_back(change);
    } else if (test.after == "skipped") {
      broke.push_back(fmt::format("{}{} was skipped because something upstream failed", name_of(target), renamed));
    } else {
      broke.push_back(fmt::format("{}{} still does not pass: {}{}", name_of(target), renamed, test.after,
                                  failures_text(test.failures_after)));
    }
    v.tests.push_back(std::move(test));
  }

  for (const auto& result : summary.results) {
    const ProjectNode* node = m_after->find(result.unique_id);
    if (node == nullptr || node->resource_type != ResourceType::test || targets_now.contains(result.unique_id))
      continue;
    const Prior before = prior(result.unique_id);
    TestOutcome test{result.unique_id, before.status, std::string(dbt::to_string(result.status)), before.failures,
                     result.failures};
    const bool newly_warns = test.after == "warn" && !m_request.warn_counts_as_pass;
    if (passes(test.before, false) && (breaks(test.after) || newly_warns)) {
      broke.push_back(fmt::format("{} passed before and now {}{}", node->name,
                                  test.after == "fail" ? std::string("fails") : test.after,
                                  failures_text(test.failures_after)));
    } else if (breaks(test.after)) {
      still_failing.push_back(fmt::format("{} ({} before)", node->name, test.before));
    }
    v.tests.push_back(std::move(test));
  }

  const std::size_t tests_run = std::count_if(summary.results.begin(), summary.results.end(), [&](const auto& r) {
    const ProjectNode* node = m_after->find(r.unique_id);
    return node != nullptr && node->resource_type == ResourceType::test && r.status != dbt::RunStatus::skipped;
  });
  const std::string scope = fmt::format("{} model{} and seed{} built, {} test{} run in the sandbox", v.built.size(),
                                        v.built.size() == 1 ? "" : "s", v.built.size() == 1 ? "" : "s", tests_run,
                                        tests_run == 1 ? "" : "s");
  if (!broke.empty()) {
    v.status = VerifyStatus::failed;
    v.detail = join(broke, "; ") + " (" + scope + ")";
  } else {
    v.status = VerifyStatus::verified;
    v.detail = fixed.empty() ? "no test broke" : join(fixed, "; ");
    v.detail += "; " + scope;
    if (!still_failing.empty())
      v.detail += "; failing, but not passing before either: " + join(still_failing, ", ");
  }
  for (const auto& note : m_notes) v.detail += "; " + note;
  return v;
}

}  // namespace

std::string_view to_string(VerifyStatus status) {
  switch (status) {
    case VerifyStatus::verified:
      return "verified";
    case VerifyStatus::failed:
      return "failed";
    case VerifyStatus::unverified:
      return "unverified";
  }
  return "unverified";
}

nlohmann::ordered_json Verification::to_json() const {
  auto count = [](const std::optional<std::int64_t>& value) {
    return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
  };
  nlohmann::ordered_json json;
  json["status"] = std::string(fixes::to_string(status));
  json["detail"] = detail;
  json["tests"] = nlohmann::ordered_json::array();
  for (const auto& test : tests)
    json["tests"].push_back({{"unique_id", test.unique_id},
                             {"before", test.before},
                             {"after", test.after},
                             {"failures_before", count(test.failures_before)},
                             {"failures_after", count(test.failures_after)}});
  json["built"] = built;
  json["seconds"] = seconds;
  return json;
}

Result<Verification> verify(const VerifyRequest& request) {
  const auto started = Clock::now();
  std::error_code ec;
  const fs::path& project_dir = request.project_dir;
  if (project_dir.empty()) return make_error(ErrorCode::invalid_argument, "no project folder given to verify in");
  if (!fs::is_regular_file(project_dir / "dbt_project.yml", ec))
    return make_error(ErrorCode::not_found, "{} is not a dbt project: it has no dbt_project.yml", project_dir.string());
  if (request.edits.empty()) return make_error(ErrorCode::invalid_argument, "nothing to verify: the fix has no edits");
  if (request.timeout.count() <= 0)
    return make_error(ErrorCode::invalid_argument, "the verification timeout must be positive, not {} s",
                      request.timeout.count());

  // Every edit must be made against the file as it is now; otherwise the result would describe another project.
  std::set<fs::path> seen;
  for (const auto& edit : request.edits) {
    COWORK_ASSIGN_OR_RETURN(const fs::path relative, project_relative_path(edit.path));
    if (!seen.insert(relative).second)
      return make_error(ErrorCode::invalid_argument, "the fix edits {} twice; give one edit per file", edit.path);
    COWORK_ASSIGN_OR_RETURN(const auto current, read_if_exists(project_dir / relative));
    if (!current && !edit.before.empty())
      return make_error(ErrorCode::invalid_argument,
                        "{} no longer exists, but the fix was made against its content; investigate again", edit.path);
    if (current && edit.before.empty() && !current->empty())
      return make_error(ErrorCode::invalid_argument,
                        "{} exists now, but the fix was made to create it; investigate again", edit.path);
    if (current && *current != edit.before)
      return make_error(ErrorCode::invalid_argument, "{} changed since the fix was made; investigate again",
                        edit.path);
  }

  COWORK_ASSIGN_OR_RETURN(const auto settings, dbt::load_project_settings(project_dir));
  dbt::EngineOptions engine;
  engine.project_dir = project_dir;
  engine.profiles_dir = request.profiles_dir;
  engine.target = request.target;
  COWORK_ASSIGN_OR_RETURN(auto target, dbt::load_target(engine, settings));

  // The status of each test before the fix: the project's last run.
  std::unordered_map<std::string, Prior> prior;
  std::vector<std::string> notes;
  COWORK_ASSIGN_OR_RETURN(const fs::path target_dir, dbt::resolve_target_dir(project_dir, request.target_path));
  const fs::path run_results_path = target_dir / "run_results.json";
  if (fs::exists(run_results_path, ec)) {
    auto loaded = dbt::load_run_results(run_results_path);
    if (loaded) {
      for (const auto& result : loaded->results)
        prior[result.unique_id] = {std::string(dbt::to_string(result.status)), result.failures};
    } else {
      notes.push_back("'before' is unknown: " + loaded.error().message);
    }
  } else {
    notes.push_back(fmt::format("'before' is unknown: there is no {}", run_results_path.string()));
  }

  auto finish = [&](Verification verification) {
    verification.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return verification;
  };
  auto scratch = ScratchDir::create();
  if (!scratch) return finish(outcome(VerifyStatus::unverified, scratch.error().message));
  const fs::path relative_target = fs::absolute(target_dir, ec).lexically_relative(fs::absolute(project_dir, ec));
  const std::string target_folder =
      relative_target.empty() || *relative_target.begin() == ".." ? "" : relative_target.begin()->string();
  const fs::path copy = scratch->path() / "project";
  if (auto copied = copy_project(project_dir, copy, target_folder); !copied)
    return finish(outcome(VerifyStatus::unverified, copied.error().message));
  for (const auto& edit : request.edits) {
    const fs::path file = copy / fs::path(edit.path).lexically_normal();
    fs::create_directories(file.parent_path(), ec);
    if (auto written = write_file(file, edit.after); !written)
      return finish(
          outcome(VerifyStatus::unverified, "cannot write the edit into the sandbox: " + written.error().message));
  }

  Verifier verifier(request, std::move(target), std::move(prior), scratch->path(), std::move(notes));
  auto result = verifier.run();
  if (!result) return std::unexpected(std::move(result).error());
  return finish(std::move(*result));
}

}  // namespace cowork::fixes
