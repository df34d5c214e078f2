#include "agent/playbook.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "agent/findings.hpp"

namespace cowork::agent {

void choose_recommendation(std::vector<FixOption>& options) {
  if (options.empty()) return;
  // The proposer's rank (the knowledge base's rules weigh most), with a bonus for a verified option; an option that
  // failed verification only when nothing else is left.
  auto rank = [](const FixOption& option) {
    if (option.verification.status == "verified") return option.score + 30;
    if (option.verification.status == "failed") return option.score - 100000;
    return option.score;
  };
  FixOption* chosen = &options.front();
  for (auto& option : options) {
    option.recommended = false;
    if (rank(option) > rank(*chosen)) chosen = &option;
  }
  chosen->recommended = true;
  std::stable_sort(options.begin(), options.end(), [&](const FixOption& a, const FixOption& b) {
    if (a.recommended != b.recommended) return a.recommended;
    return rank(a) > rank(b);
  });
}

Result<Report> run_playbook(tools::ToolContext& context, const tools::ToolRegistry& tools, std::string_view incident_id,
                            const PlaybookOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  Report report;
  StepRecorder recorder(context, tools, report.steps, options.on_step);
  auto phase = [&](std::string_view agent, std::string_view name) {
    if (options.on_phase) options.on_phase(agent, name);
  };

  phase("investigator", "investigate");
  COWORK_ASSIGN_OR_RETURN(auto findings, investigate_incident(recorder, incident_id));
  report.incident = findings.incident;

  phase("diagnostician", "diagnose");
  report.diagnosis = diagnose(findings, recorder);

  phase("fix_proposer", "propose");
  report.fixes = propose_fixes(findings, report.diagnosis, recorder);

  if (options.llm != nullptr && options.llm->provider != nullptr) {
    phase("model", fmt::format("{}/{}", options.llm->provider->name(), options.llm->provider->model()));
    run_llm_agents(findings, report, recorder, *options.llm);
  }

  phase("verifier", "verify");
  std::vector<std::string> targets = findings.failing_tests;
  for (auto& option : report.fixes) {
    if (!options.verifier) {
      option.verification.status = "unverified";
      option.verification.detail = "verification skipped (--no-verify)";
      continue;
    }
    if (option.edits.empty()) {
      option.verification.status = "unverified";
      option.verification.detail = "nothing to build: this option changes no file";
      continue;
    }
    const auto begin = std::chrono::steady_clock::now();
    option.verification = options.verifier(option, targets);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begin);
    std::string detail = option.verification.detail;
    if (detail.size() > 200) detail = detail.substr(0, 200) + "...";
    recorder.note("verifier", "verify", fmt::format("{}: {}{}", option.title, option.verification.status,
                                                    detail.empty() ? "" : " (" + detail + ")"),
                  ms.count(), {{"strategy", option.strategy}});
  }
  choose_recommendation(report.fixes);
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace cowork::agent
