// `cowork incidents [--format text|json]`: the failures of the last dbt invocation grouped by root cause, with what
// Elementary's tables add (read-only, when the project's profile reaches a warehouse that has them) and each
// incident's lifecycle status from the project's state store. Subcommands change that status: ack, snooze, resolve,
// reopen, and history lists the changes.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "cli/engine.hpp"
#include "dbt/project.hpp"
#include "dbt/selector.hpp"
#include "incidents/elementary_source.hpp"
#include "incidents/incident.hpp"
#include "store/store.hpp"
#include "util/json_text.hpp"
#include "util/strings.hpp"

namespace cowork::cli {
namespace {

namespace fs = std::filesystem;

using incidents::Incident;
using incidents::IncidentReport;
using incidents::Severity;

struct IncidentsOptions {
  CommonOptions common;
  std::string sources;
  std::vector<std::string> select;
  bool no_warehouse = false;
  std::vector<std::string> statuses;
  // A lifecycle subcommand, when one was given.
  std::string action;
  std::string id;
  std::string note;
  std::string until;
};

// What the state store said about this run, for the output.
struct Lifecycle {
  bool synced = false;
  std::vector<store::IncidentRecord> resolved;  // resolved by this sync
  std::size_t hidden = 0;                       // incidents left out by --status
  std::string filter;                           // the statuses shown, for the note about hidden ones
};

std::string names(const std::vector<std::string>& ids, std::size_t max) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ids.size() && i < max; ++i) out.push_back(dbt::short_name(ids[i]));
  std::string text = join(out, ", ");
  if (ids.size() > max) text += fmt::format(" (+{} more)", ids.size() - max);
  return text;
}

std::string severity_badge(Severity severity, const Style& style) {
  const std::string text = fmt::format("{:<10}", to_lower(std::string(incidents::to_string(severity))));
  switch (severity) {
    case Severity::critical:
      return style.bold(style.magenta(text));
    case Severity::high:
      return style.bold(style.red(text));
    case Severity::medium:
      return style.yellow(text);
    case Severity::low:
      return style.dim(text);
  }
  return text;
}

std::string status_label(const std::string& status, const std::string& snoozed_until) {
  return status == "snoozed" && !snoozed_until.empty() ? "snoozed until " + snoozed_until : status;
}

void print_elementary(const incidents::Failure& failure, const Style& style) {
  if (!failure.elementary) return;
  const auto& detail = *failure.elementary;
  std::vector<std::string> about;
  if (!detail.failing_since.empty())
    about.push_back(fmt::format("failing since {} ({} run{})", detail.failing_since, detail.failing_runs,
                                detail.failing_runs == 1 ? "" : "s"));
  if (failure.origin == "elementary") about.push_back("from Elementary, newer than the artifacts");
  if (!detail.samples.empty()) about.push_back(fmt::format("{} sample row(s)", detail.samples.size()));
  if (!about.empty()) std::cout << "                        " << style.dim(join(about, "; ")) << '\n';
  if (!detail.samples.empty())
    std::cout << "                        " << style.dim("e.g. " + one_line(dump_json(detail.samples.front()), 130))
              << '\n';
}

void print_text(const IncidentReport& report, const Lifecycle& lifecycle, const Style& style) {
  std::size_t errors = 0, warns = 0;
  for (const auto& incident : report.incidents)
    for (const auto& failure : incident.failures) (dbt::is_error_level(failure.status) ? errors : warns)++;
  std::string run = !report.run_results_path.empty()    ? report.run_results_path
                    : !report.elementary_schema.empty() ? "Elementary's tables (" + report.elementary_schema + ")"
                                                        : std::string("sources.json");
  std::vector<std::string> about;
  if (!report.dbt_version.empty()) about.push_back("dbt " + report.dbt_version);
  if (!report.command.empty()) about.push_back(report.command);
  if (!report.generated_at.empty()) about.push_back(report.generated_at);
  std::cout << style.bold(report.incidents.empty() ? "No incidents"
                                                   : fmt::format("{} incident{}", report.incidents.size(),
                                                                 report.incidents.size() == 1 ? "" : "s"))
            << " in " << run << (about.empty() ? "" : " (" + join(about, ", ") + ")") << ": "
            << fmt::format("{} result{} read, {} failing, {} warning", report.results, report.results == 1 ? "" : "s",
                           errors, warns)
            << (warns == 1 ? "" : "s") << '\n';
  if (!report.elementary_schema.empty())
    std::cout << style.dim(fmt::format("Elementary's tables in {}: {} test(s), {} failure(s) enriched, {} added",
                                       report.elementary_schema, report.elementary_tests, report.elementary_enriched,
                                       report.elementary_added))
              << '\n';

  for (const Incident& incident : report.incidents) {
    std::cout << '\n'
              << severity_badge(incident.severity, style) << style.bold(incident.id) << "  " << incident.title << '\n';
    if (lifecycle.synced) {
      const std::string status = fmt::format("{:<14}", "status");
      const std::string label = status_label(incident.status, incident.snoozed_until);
      std::cout << "          " << status << (incident.status == "open" ? style.bold(label) : style.dim(label))
                << style.dim("  since " + incident.first_seen) << '\n';
    }
    constexpr std::size_t k_shown = 8;
    for (std::size_t i = 0; i < incident.failures.size() && i < k_shown; ++i) {
      const auto& failure = incident.failures[i];
      const std::string status = fmt::format("{:<14}", dbt::to_string(failure.status));
      const std::string colored = dbt::is_error_level(failure.status) ? style.red(status) : style.yellow(status);
      std::string rows = failure.failures
                             ? fmt::format("{} row{}", *failure.failures, *failure.failures == 1 ? "" : "s")
                             : std::string();
      std::cout << "          " << colored << failure.unique_id;
      if (!rows.empty()) std::cout << "  " << style.dim(rows);
      std::cout << '\n';
      if (!failure.message.empty())
        std::cout << "                        " << style.dim(one_line(failure.message, 150)) << '\n';
      print_elementary(failure, style);
    }
    if (!incident.skipped.empty())
      std::cout << "          " << fmt::format("{:<14}", "skipped") << incident.skipped.size() << " node"
                << (incident.skipped.size() == 1 ? "" : "s") << ": " << names(incident.skipped, 6) << '\n';
    std::vector<std::string> impact;
    if (!incident.impact.downstream_models.empty())
      impact.push_back(fmt::format("{} downstream model{}", incident.impact.downstream_models.size(),
                                   incident.impact.downstream_models.size() == 1 ? "" : "s"));
    if (!incident.impact.exposures.empty())
      impact.push_back(fmt::format("exposure{} {}", incident.impact.exposures.size() == 1 ? "" : "s",
                                   names(incident.impact.exposures, 4)));
    if (!impact.empty()) std::cout << "          " << fmt::format("{:<14}", "impact") << join(impact, ", ") << '\n';
    if (incident.root_candidates.size() > 1)
      std::cout << "          " << fmt::format("{:<14}", "look at") << names(incident.root_candidates, 5) << '\n';
    std::cout << "          "
              << style.dim(fmt::format("{:<14}{}", "why " + std::string(incidents::to_string(incident.severity)),
                                       join(incident.severity_reasons, "; ")))
              << '\n';
  }
  if (!report.unattributed_skips.empty())
    std::cout << '\n'
              << style.dim(fmt::format("{} skipped node{} with no failure upstream in these artifacts: {}",
                                       report.unattributed_skips.size(),
                                       report.unattributed_skips.size() == 1 ? "" : "s",
                                       names(report.unattributed_skips, 6)))
              << '\n';
  if (!lifecycle.resolved.empty()) {
    std::cout << '\n' << style.green(style.bold("Resolved by this run:")) << '\n';
    for (const auto& record : lifecycle.resolved)
      std::cout << "          " << style.bold(record.id) << "  " << record.title << '\n';
  }
  if (lifecycle.hidden > 0)
    std::cout << '\n'
              << style.dim(fmt::format("{} incident{} not shown (showing {}; see them with --status resolved or "
                                       "--status open,acknowledged,snoozed,resolved)",
                                       lifecycle.hidden, lifecycle.hidden == 1 ? "" : "s", lifecycle.filter))
              << '\n';
  if (!report.incidents.empty()) {
    std::cout << '\n'
              << style.dim("See the lineage of a failing node with: cowork lineage " +
                           dbt::short_name(report.incidents.front().models.front()))
              << '\n';
    if (lifecycle.synced)
      std::cout << style.dim("Acknowledge or snooze one with: cowork incidents ack " + report.incidents.front().id +
                             " / cowork incidents snooze " + report.incidents.front().id + " --until 2h")
                << '\n';
  }
}

// Keeps the incidents with a failing or skipped node among `selected`.
void filter(IncidentReport& report, const dbt::Graph& graph, const std::vector<dbt::NodeId>& selected) {
  std::set<std::string, std::less<>> ids;
  for (auto id : selected) ids.emplace(graph.node(id).unique_id);
  std::erase_if(report.incidents, [&](const Incident& incident) {
    for (const auto& failure : incident.failures)
      if (ids.contains(failure.unique_id) || ids.contains(failure.subject)) return false;
    return true;
  });
}

bool is_dbt_project(const std::string& project_dir) {
  std::error_code ec;
  return fs::exists(fs::path(project_dir) / "dbt_project.yml", ec);
}

// Elementary's tables on the project's warehouse, opened read-only. Anything in the way (no profile, a warehouse
// that is down, a malformed table) is a warning: the artifacts alone still make a report.
std::optional<incidents::ElementaryResults> read_project_elementary(const IncidentsOptions& options,
                                                                    std::vector<std::string>& warnings) {
  auto settings = dbt::load_project_settings(options.common.project_dir);
  if (!settings) {
    warnings.push_back("Elementary's tables not read: " + settings.error().message);
    return std::nullopt;
  }
  auto target = load_target(options.common, *settings);
  // No profiles.yml at all: a project checked out to read artifacts, not to reach a warehouse.
  if (!target && target.error().code == ErrorCode::not_found) return std::nullopt;
  if (!target) {
    warnings.push_back("Elementary's tables not read: " + target.error().message);
    return std::nullopt;
  }
  auto config = dbt::connection_config(*target, options.common.project_dir);
  if (!config) {
    warnings.push_back("Elementary's tables not read: " + config.error().message);
    return std::nullopt;
  }
  config->access = warehouse::AccessMode::read_only;
  const std::string where = config->type == "duckdb"
                                ? fmt::format("the DuckDB file {}", config->path)
                                : fmt::format("{} at {}:{}", config->type, config->host, config->port);
  auto warehouse = warehouse::open_warehouse(*config);
  if (!warehouse) {
    warnings.push_back(
        fmt::format("Elementary's tables not read: cannot reach {} ({}); listing the artifacts' "
                    "failures only (--no-warehouse skips this)",
                    where, warehouse.error().message));
    return std::nullopt;
  }
  auto elementary = incidents::read_elementary(**warehouse, target->schema + "_elementary");
  if (!elementary) {
    warnings.push_back("Elementary's tables not read: " + elementary.error().message);
    return std::nullopt;
  }
  return std::move(*elementary);
}

Result<std::vector<store::IncidentStatus>> parse_statuses(const std::vector<std::string>& texts) {
  std::vector<store::IncidentStatus> out;
  for (const auto& text : texts) {
    for (auto part : split(text, ',')) {
      if (trim(part).empty()) continue;
      auto status = store::parse_incident_status(trim(part));
      if (!status)
        return make_error(ErrorCode::invalid_argument,
                          "--status '{}': the statuses are open, acknowledged, snoozed and resolved", trim(part));
      out.push_back(*status);
    }
  }
  if (out.empty())
    out = {store::IncidentStatus::open, store::IncidentStatus::acknowledged, store::IncidentStatus::snoozed};
  return out;
}

// Records the report in the state store and sets each incident's lifecycle status; drops the incidents whose status
// is not wanted.
Status sync_with_store(const IncidentsOptions& options, IncidentReport& report,
                       const std::unordered_set<std::string>& executed, const std::vector<store::IncidentStatus>& shown,
                       Lifecycle& lifecycle) {
  COWORK_ASSIGN_OR_RETURN(auto state, store::Store::open_project(options.common.project_dir));
  COWORK_ASSIGN_OR_RETURN(auto summary, state.sync_incidents(report, executed, state.now()));
  COWORK_ASSIGN_OR_RETURN(auto records, state.list_incidents());
  std::map<std::string, const store::IncidentRecord*, std::less<>> by_id;
  for (const auto& record : records) by_id.emplace(record.id, &record);
  for (auto& incident : report.incidents) {
    auto it = by_id.find(incident.id);
    if (it == by_id.end()) continue;
    incident.status = std::string(store::to_string(it->second->status));
    incident.snoozed_until = it->second->status == store::IncidentStatus::snoozed ? it->second->snoozed_until : "";
  }
  for (const auto& id : summary.resolved)
    if (auto it = by_id.find(id); it != by_id.end()) lifecycle.resolved.push_back(*it->second);
  lifecycle.synced = true;
  const std::size_t before = report.incidents.size();
  std::erase_if(report.incidents, [&](const Incident& incident) {
    auto status = store::parse_incident_status(incident.status);
    return status && std::find(shown.begin(), shown.end(), *status) == shown.end();
  });
  lifecycle.hidden = before - report.incidents.size();
  return {};
}

int run_list(const IncidentsOptions& options) {
  auto shown = parse_statuses(options.statuses);
  if (!shown) return report_error(shown.error());
  std::vector<std::string> names_shown;
  for (auto status : *shown) names_shown.emplace_back(store::to_string(status));

  const bool project = is_dbt_project(options.common.project_dir);
  const bool use_warehouse = project && !options.no_warehouse;
  dbt::ArtifactRequest request;
  request.manifest = options.select.empty() ? dbt::Need::optional : dbt::Need::required;
  // Elementary's tables can stand in for a missing run_results.json.
  request.run_results = use_warehouse ? dbt::Need::optional : dbt::Need::required;
  request.freshness = dbt::Need::optional;
  request.catalog = dbt::Need::optional;
  if (!options.sources.empty()) {
    request.freshness_path = options.sources;
  }
  auto artifacts = load_artifacts(options.common, request);
  if (!artifacts) return report_error(artifacts.error());

  std::vector<std::string> elementary_warnings;
  std::optional<incidents::ElementaryResults> elementary;
  if (use_warehouse) elementary = read_project_elementary(options, elementary_warnings);
  if (!artifacts->run_results && !(elementary && elementary->present)) {
    // Neither source has results: the error a missing run_results.json always gets, without reading the rest again.
    dbt::ArtifactRequest run_results_only;
    run_results_only.manifest = dbt::Need::skip;
    run_results_only.run_results = dbt::Need::required;
    auto again = load_artifacts(options.common, run_results_only);
    if (!again) {
      print_warnings(elementary_warnings);
      return report_error(again.error());
    }
  }
  if (!artifacts->manifest)
    artifacts->warnings.push_back(
        fmt::format("no manifest.json in {}: failures are listed one by one, without lineage "
                    "or impact",
                    artifacts->target_dir.string()));
  IncidentReport report = incidents::build_incidents(*artifacts);
  report.warnings.insert(report.warnings.end(), elementary_warnings.begin(), elementary_warnings.end());
  if (elementary) incidents::merge_elementary(report, *elementary, *artifacts);

  // Synced before --select narrows the report: the store must see every failure, or it would resolve the rest.
  Lifecycle lifecycle;
  lifecycle.filter = join(names_shown, ",");
  if (project) {
    const auto executed = incidents::executed_nodes(*artifacts, elementary ? &*elementary : nullptr);
    if (auto synced = sync_with_store(options, report, executed, *shown, lifecycle); !synced)
      report.warnings.push_back("incident statuses not updated: " + synced.error().message);
  }
  if (!options.select.empty()) {
    dbt::SelectionOptions selection;
    selection.run_results = artifacts->run_results ? &*artifacts->run_results : nullptr;
    auto selected = dbt::select_nodes(*artifacts->graph, options.select, {}, selection);
    if (!selected) return report_error(selected.error());
    filter(report, *artifacts->graph, *selected);
  }
  print_warnings(report.warnings);
  if (options.common.format == "json") {
    auto json = incidents::to_json(report);
    if (lifecycle.synced) {
      nlohmann::ordered_json resolved = nlohmann::ordered_json::array();
      for (const auto& record : lifecycle.resolved)
        resolved.push_back({{"id", record.id}, {"title", record.title}, {"resolved_at", record.resolved_at}});
      json["resolved"] = std::move(resolved);
      for (auto& incident : json["incidents"])
        if (!incident.contains("snoozed_until")) incident["snoozed_until"] = nullptr;
    }
    std::cout << dump_json(json, 2) << '\n';
  } else {
    print_text(report, lifecycle, Style());
  }
  return report.incidents.empty() ? k_exit_ok : k_exit_failures;
}

std::string actor() {
  for (const char* name : {"COWORK_USER", "USER"})
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') return value;
  return "unknown";
}

// --until: an ISO time, or a duration from now ("30m", "2h", "3d", "1w").
Result<store::Timestamp> parse_until(const std::string& text, store::Timestamp now) {
  const std::string_view value = trim(text);
  if (value.size() >= 2) {
    const char unit = value.back();
    const std::string_view count = value.substr(0, value.size() - 1);
    const bool number = std::all_of(count.begin(), count.end(), [](char c) { return c >= '0' && c <= '9'; });
    const std::map<char, std::chrono::minutes> units = {{'m', std::chrono::minutes(1)},
                                                        {'h', std::chrono::hours(1)},
                                                        {'d', std::chrono::hours(24)},
                                                        {'w', std::chrono::hours(24 * 7)}};
    if (number && units.contains(unit) && count.size() <= 6)
      return now + std::stoll(std::string(count)) * units.at(unit);
  }
  auto time = store::parse_timestamp(value);
  if (!time)
    return make_error(ErrorCode::invalid_argument,
                      "--until '{}': give a time (2026-12-01T09:00Z) or a duration from now (30m, 2h, 3d, 1w)", text);
  return *time;
}

void print_record(const store::IncidentRecord& record, const Style& style) {
  std::cout << style.bold(record.id) << "  " << record.title << '\n'
            << "          " << fmt::format("{:<14}", "status")
            << status_label(std::string(store::to_string(record.status)), record.snoozed_until) << '\n';
}

int run_lifecycle(const IncidentsOptions& options) {
  if (!is_dbt_project(options.common.project_dir))
    return report_error(Error{ErrorCode::invalid_argument,
                              fmt::format("no dbt_project.yml in {}: incident statuses live in a dbt project's "
                                          ".cowork/state.db; run this in the project or pass --project-dir",
                                          fs::absolute(options.common.project_dir).string())});
  auto state = store::Store::open_project(options.common.project_dir);
  if (!state) return report_error(state.error());
  const Style style;
  const bool json = options.common.format == "json";

  if (options.action == "history") {
    auto record = state->get_incident(options.id);
    if (!record) return report_error(record.error());
    auto events = state->list_incident_events(record->id);
    if (!events) return report_error(events.error());
    if (json) {
      nlohmann::ordered_json out = store::to_json(*record);
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const auto& event : *events) list.push_back(store::to_json(event));
      out["events"] = std::move(list);
      std::cout << dump_json(out, 2) << '\n';
      return k_exit_ok;
    }
    print_record(*record, style);
    std::cout << '\n';
    for (const auto& event : *events) {
      const std::string change =
          event.from ? fmt::format("{} -> {}", store::to_string(*event.from), store::to_string(event.to))
                     : fmt::format("-> {}", store::to_string(event.to));
      std::cout << style.dim(event.at) << "  " << fmt::format("{:<12}", event.actor) << "  "
                << fmt::format("{:<26}", change) << event.note << '\n';
    }
    return k_exit_ok;
  }

  const std::string who = actor();
  Result<store::IncidentRecord> record = make_error(ErrorCode::internal, "no lifecycle action '{}'", options.action);
  if (options.action == "ack") {
    record = state->acknowledge(options.id, who, options.note);
  } else if (options.action == "snooze") {
    auto until = parse_until(options.until, state->now());
    if (!until) return report_error(until.error());
    record = state->snooze(options.id, *until, who, options.note);
  } else if (options.action == "resolve") {
    record = state->resolve(options.id, who, options.note);
  } else if (options.action == "reopen") {
    record = state->reopen(options.id, who, options.note);
  }
  if (!record) return report_error(record.error());
  if (json) {
    std::cout << dump_json(store::to_json(*record), 2) << '\n';
  } else {
    print_record(*record, style);
    std::cout << style.dim(
                     fmt::format("changed by {}; see every change with: cowork incidents history {}", who, record->id))
              << '\n';
  }
  return k_exit_ok;
}

void add_lifecycle_command(CLI::App& app, const std::shared_ptr<IncidentsOptions>& options, const char* name,
                           const char* description, bool note, bool until) {
  CLI::App* sub = app.add_subcommand(name, description);
  // --project-dir, --format and the other flags of `incidents` work after the subcommand too.
  sub->fallthrough();
  sub->add_option("ID", options->id, "The incident: its id or a unique prefix of it")->required();
  if (note) sub->add_option("--note", options->note, "Why, for the history");
  if (until)
    sub->add_option("--until", options->until, "When the snooze ends: a time (2026-12-01T09:00Z) or 30m, 2h, 3d, 1w")
        ->required();
  sub->callback([options, name] { options->action = name; });
}

}  // namespace

Runner setup_incidents(CLI::App& app) {
  auto options = std::make_shared<IncidentsOptions>();
  add_common_options(app, options->common, {"text", "json"});
  app.add_option("--sources", options->sources,
                 "Read this sources.json (source freshness) instead of the one in the target folder");
  app.add_option("-s,--select", options->select, "Only incidents touching these nodes (dbt selector syntax)");
  app.add_flag("--no-warehouse", options->no_warehouse, "Do not read Elementary's tables from the warehouse");
  app.add_option("--status", options->statuses,
                 "Only incidents with these statuses: open, acknowledged, snoozed, resolved (default: all but "
                 "resolved)")
      ->delimiter(',');
  app.require_subcommand(0, 1);
  add_lifecycle_command(app, options, "ack", "Acknowledge an incident: someone is on it", true, false);
  add_lifecycle_command(app, options, "snooze", "Hide an incident until a time (it reopens by itself then)", true,
                        true);
  add_lifecycle_command(app, options, "resolve", "Mark an incident resolved", true, false);
  add_lifecycle_command(app, options, "reopen", "Open a resolved, acknowledged or snoozed incident again", true, false);
  add_lifecycle_command(app, options, "history", "Show every status change of an incident", false, false);
  app.footer(R"(Reads run_results.json (and sources.json, catalog.json when present) with the manifest's lineage, and
groups every fail, error, warn and runtime error into incidents by shared root cause. Skipped nodes join the
incident that skipped them. In a dbt project whose profile reaches the warehouse, Elementary's tables
(<schema>_elementary) add each failing test's history and failed-row samples, and failures newer than the artifacts;
the incidents are then recorded in .cowork/state.db with a status (open, acknowledged, snoozed, resolved), and those
whose nodes all passed are resolved. Exit code: 0 no incidents, 1 incidents found, 2 the artifacts could not be read.

Examples:
  cowork incidents                              from ./target after `dbt build`
  cowork incidents --target-path ci/artifacts   from a folder of artifacts downloaded from CI
  cowork incidents --format json | jq '.incidents[0]'
  cowork incidents --select marts               only incidents in the marts folder
  cowork incidents --status resolved            what was resolved
  cowork incidents ack inc_3fa2 --note "on it"  acknowledge (ids may be shortened: 3fa2)
  cowork incidents snooze 3fa2 --until 2h       hide it for two hours
  cowork incidents history 3fa2                 who changed what, when)");
  return [options] { return options->action.empty() ? run_list(*options) : run_lifecycle(*options); };
}

}  // namespace cowork::cli
