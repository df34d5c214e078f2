#include "agent/session.hpp"

#include <unordered_set>

#include <fmt/format.h>

#include "fixes/apply.hpp"
#include "fixes/verifier.hpp"
#include "tools/tool.hpp"
#include "util/files.hpp"

namespace cowork::agent {
namespace {

// Never throws: a string that is not valid UTF-8 (a file in another encoding) is written with U+FFFD.
template <typename Json>
std::string dump(const Json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The nodes a run executed: every result that is not skipped, and the sources whose freshness was checked.
std::unordered_set<std::string> executed_nodes(const dbt::ArtifactSet& artifacts) {
  std::unordered_set<std::string> out;
  if (artifacts.run_results)
    for (const auto& result : artifacts.run_results->results)
      if (result.status != dbt::RunStatus::skipped) out.insert(std::string(result.unique_id));
  if (artifacts.freshness)
    for (const auto& result : artifacts.freshness->results) out.insert(std::string(result.unique_id));
  return out;
}

store::FixRecord to_record(const FixOption& option, const std::string& investigation_id) {
  store::FixRecord record;
  record.investigation_id = investigation_id;
  record.title = option.title;
  record.strategy = option.strategy;
  record.category = store::parse_fix_category(option.category).value_or(store::FixCategory::data);
  record.risk = store::parse_fix_risk(option.risk).value_or(store::FixRisk::medium);
  record.recommended = option.recommended;
  for (const auto& edit : option.edits)
    record.edits.push_back({edit.path, edit.before.empty() ? std::string() : fixes::content_hash(edit.before),
                            edit.after, edit.diff});
  auto detail = to_json(option);
  detail.erase("verification");
  detail.erase("id");
  detail["warn_counts_as_pass"] = option.warn_counts_as_pass;
  record.detail_json = dump(detail);
  record.verification_json = dump(to_json(option.verification));
  return record;
}

}  // namespace

VerificationResult verify_edits(const tools::ContextOptions& project, const std::vector<FileChange>& edits,
                                const std::vector<std::string>& target_tests, bool warn_counts_as_pass) {
  fixes::VerifyRequest request;
  request.project_dir = project.project_dir;
  request.profiles_dir = project.profiles_dir;
  request.target = project.target;
  request.target_path = project.target_path;
  for (const auto& edit : edits) request.edits.push_back({edit.path, edit.before, edit.after});
  request.target_tests = target_tests;
  request.warn_counts_as_pass = warn_counts_as_pass;
  VerificationResult out;
  auto verification = fixes::verify(request);
  if (!verification) {
    out.status = "unverified";
    out.detail = verification.error().message;
    return out;
  }
  out.status = std::string(fixes::to_string(verification->status));
  out.detail = verification->detail;
  out.built = verification->built;
  out.seconds = verification->seconds;
  for (const auto& test : verification->tests)
    out.tests.push_back({test.unique_id, test.before, test.after, test.failures_before, test.failures_after});
  return out;
}

Result<Report> investigate(const InvestigateRequest& request, const InvestigateCallbacks& callbacks) {
  COWORK_ASSIGN_OR_RETURN(auto context, tools::open_context(request.project));
  COWORK_ASSIGN_OR_RETURN(const incidents::Incident* incident, context.find_incident(request.incident_id));
  const std::string incident_id = incident->id;

  COWORK_ASSIGN_OR_RETURN(auto state, store::Store::open_project(context.project_dir));
  COWORK_TRY(state.sync_incidents(context.report, executed_nodes(context.artifacts), state.now()));
  std::unique_ptr<llm::Provider> provider;
  if (request.llm) {
    COWORK_ASSIGN_OR_RETURN(provider, llm::make_provider(request.llm->provider));
  }
  const std::string engine =
      provider ? fmt::format("llm:{}/{}", provider->name(), provider->model()) : std::string("playbook");
  COWORK_ASSIGN_OR_RETURN(auto investigation_id, state.start_investigation(incident_id, engine));

  std::string event_error;
  auto record = [&](store::Event event) {
    auto seq = state.append_event(investigation_id, event);
    if (!seq) {
      if (event_error.empty()) event_error = seq.error().message;
      return;
    }
    event.seq = *seq;
    if (callbacks.on_event) callbacks.on_event(event);
  };
  PlaybookOptions options;
  options.on_phase = [&](std::string_view agent, std::string_view phase) {
    store::Event event;
    event.agent = std::string(agent);
    event.kind = store::EventKind::phase;
    event.summary = std::string(phase);
    record(std::move(event));
  };
  options.on_step = [&](const Step& step) {
    store::Event event;
    event.agent = step.agent;
    event.kind = step.ok ? store::EventKind::tool_result : store::EventKind::error;
    event.tool = step.tool;
    event.args_json = dump(step.args);
    event.summary = step.summary;
    event.duration_ms = step.ms;
    if (step.by != "playbook") event.payload_json = dump(nlohmann::json{{"by", step.by}});
    record(std::move(event));
  };
  if (request.verify) {
    options.verifier = [&](const FixOption& option, const std::vector<std::string>& targets) {
      return verify_edits(request.project, option.edits, targets, option.warn_counts_as_pass);
    };
  }
  LlmRun llm_run;
  if (provider) {
    llm_run.provider = provider.get();
    llm_run.budget = request.llm->budget;
    llm_run.cancel = request.cancel;
    llm_run.on_model = [&](const ModelEvent& model) {
      store::Event event;
      event.agent = model.agent;
      event.kind = !model.ok ? store::EventKind::error
                   : model.result ? store::EventKind::model_result
                                  : store::EventKind::model_call;
      event.tool = model.result ? "model_result" : "model_call";
      event.summary = model.summary;
      if (model.result) event.duration_ms = model.ms;
      event.payload_json = dump(model.payload);
      record(std::move(event));
    };
    llm_run.on_token = [&](std::string_view agent, std::string_view text) {
      store::Event event;
      event.agent = std::string(agent);
      event.kind = store::EventKind::token;
      event.summary = std::string(text);
      record(std::move(event));
    };
    options.llm = &llm_run;
  }
  const tools::ToolRegistry& registry = tools::builtin_tools();
  auto report = run_playbook(context, registry, incident_id, options);
  if (!report) {
    (void)state.finish_investigation(investigation_id, store::InvestigationStatus::failed,
                                     dump(nlohmann::json{{"error", report.error().message}}));
    return std::unexpected(report.error());
  }
  report->investigation_id = investigation_id;
  for (auto& option : report->fixes) {
    store::FixRecord fix = to_record(option, investigation_id);
    fix.incident_id = incident_id;
    COWORK_ASSIGN_OR_RETURN(option.id, state.save_fix(fix));
  }
  COWORK_TRY(state.finish_investigation(investigation_id, store::InvestigationStatus::completed,
                                        dump(to_json(*report)), report->engine));
  if (!event_error.empty())
    return make_error(ErrorCode::internal, "the investigation ran but its events could not be stored: {}", event_error);
  return std::move(*report);
}

Result<DryRunResult> dry_run(const tools::ContextOptions& project, std::string_view fix_id) {
  COWORK_ASSIGN_OR_RETURN(auto state, store::Store::open_project(project.project_dir));
  COWORK_ASSIGN_OR_RETURN(auto fix, state.get_fix(fix_id));
  std::vector<FileChange> edits;
  for (const auto& edit : fix.edits) {
    FileChange change;
    change.path = edit.path;
    change.after = edit.new_content;
    change.diff = edit.diff;
    const auto path = project.project_dir / edit.path;
    auto current = read_file(path);
    if (!current && !edit.original_hash.empty())
      return make_error(ErrorCode::invalid_argument, "{} no longer exists; it changed since fix {} was made: "
                                                        "investigate again",
                        edit.path, fix.id);
    const std::string text = current ? *current : std::string();
    if (fixes::content_hash(text) != edit.original_hash && !(edit.original_hash.empty() && !current))
      return make_error(ErrorCode::invalid_argument,
                        "{} changed since fix {} was made; investigate the incident again", edit.path, fix.id);
    change.before = text;
    edits.push_back(std::move(change));
  }
  bool warn_counts_as_pass = false;
  if (auto detail = nlohmann::json::parse(fix.detail_json, nullptr, false); detail.is_object())
    warn_counts_as_pass = detail.value("warn_counts_as_pass", false);
  // The incident's failing tests, from the incident as the store last saw it.
  std::vector<std::string> targets;
  COWORK_ASSIGN_OR_RETURN(auto incident, state.get_incident(fix.incident_id));
  for (const auto& failure : incident.failures)
    if (failure.resource_type == "test") targets.push_back(failure.unique_id);
  DryRunResult out;
  out.verification = verify_edits(project, edits, targets, warn_counts_as_pass);
  COWORK_TRY(state.update_verification(fix.id, dump(to_json(out.verification))));
  COWORK_ASSIGN_OR_RETURN(out.fix, state.get_fix(fix.id));
  return out;
}

}  // namespace cowork::agent
