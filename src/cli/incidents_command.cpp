// `cowork incidents [--format text|json]`: the failures of the last dbt invocation, grouped by root cause.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "util/json_text.hpp"
#include "dbt/selector.hpp"
#include "incidents/incident.hpp"
#include "util/strings.hpp"

namespace cowork::cli {
namespace {

using incidents::Incident;
using incidents::IncidentReport;
using incidents::Severity;

struct IncidentsOptions {
  CommonOptions common;
  std::string sources;
  std::vector<std::string> select;
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

void print_text(const IncidentReport& report, const Style& style) {
  std::size_t errors = 0, warns = 0;
  for (const auto& incident : report.incidents)
    for (const auto& failure : incident.failures) (dbt::is_error_level(failure.status) ? errors : warns)++;
  std::string run = report.run_results_path.empty() ? std::string("sources.json") : report.run_results_path;
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

  for (const Incident& incident : report.incidents) {
    std::cout << '\n'
              << severity_badge(incident.severity, style) << style.bold(incident.id) << "  " << incident.title << '\n';
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
  if (!report.incidents.empty())
    std::cout << '\n'
              << style.dim("See the lineage of a failing node with: cowork lineage " +
                           dbt::short_name(report.incidents.front().models.front()))
              << '\n';
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

int run(const IncidentsOptions& options) {
  dbt::ArtifactRequest request;
  request.manifest = options.select.empty() ? dbt::Need::optional : dbt::Need::required;
  request.run_results = dbt::Need::required;
  request.freshness = dbt::Need::optional;
  request.catalog = dbt::Need::optional;
  if (!options.sources.empty()) {
    request.freshness_path = options.sources;
  }
  auto artifacts = load_artifacts(options.common, request);
  if (!artifacts) return report_error(artifacts.error());
  if (!artifacts->manifest)
    artifacts->warnings.push_back(
        fmt::format("no manifest.json in {}: failures are listed one by one, without lineage "
                    "or impact",
                    artifacts->target_dir.string()));
  IncidentReport report = incidents::build_incidents(*artifacts);
  if (!options.select.empty()) {
    dbt::SelectionOptions selection;
    selection.run_results = artifacts->run_results ? &*artifacts->run_results : nullptr;
    auto selected = dbt::select_nodes(*artifacts->graph, options.select, {}, selection);
    if (!selected) return report_error(selected.error());
    filter(report, *artifacts->graph, *selected);
  }
  print_warnings(report.warnings);
  if (options.common.format == "json") {
    std::cout << dump_json(incidents::to_json(report), 2) << '\n';
  } else {
    print_text(report, Style());
  }
  return report.incidents.empty() ? k_exit_ok : k_exit_failures;
}

}  // namespace

Runner setup_incidents(CLI::App& app) {
  auto options = std::make_shared<IncidentsOptions>();
  add_common_options(app, options->common, {"text", "json"});
  app.add_option("--sources", options->sources,
                 "Read this sources.json (source freshness) instead of the one in the target folder");
  app.add_option("-s,--select", options->select, "Only incidents touching these nodes (dbt selector syntax)");
  app.footer(R"(Reads run_results.json (and sources.json, catalog.json when present) with the manifest's lineage, and
groups every fail, error, warn and runtime error into incidents by shared root cause. Skipped nodes join the
incident that skipped them. Exit code: 0 no incidents, 1 incidents found, 2 the artifacts could not be read.

Examples:
  cowork incidents                              from ./target after `dbt build`
  cowork incidents --target-path ci/artifacts   from a folder of artifacts downloaded from CI
  cowork incidents --format json | jq '.incidents[0]'
  cowork incidents --select marts               only incidents in the marts folder)");
  return [options] { return run(*options); };
}

}  // namespace cowork::cli
