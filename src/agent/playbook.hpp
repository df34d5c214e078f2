// The playbook engine: investigator, diagnostician and fix proposer run deterministically over the tools, then
// every option is verified (by the verifier the caller gives) and exactly one is recommended: the best-ranked
// verified option, never one that failed when another passed.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "agent/llm_agents.hpp"
#include "agent/report.hpp"
#include "tools/tool.hpp"
#include "util/error.hpp"

namespace cowork::agent {

// Verifies one option against the incident's failing tests.
using Verifier = std::function<VerificationResult(const FixOption& option, const std::vector<std::string>& target_tests)>;

struct PlaybookOptions {
  std::function<void(const Step&)> on_step;                          // each step as it happens
  std::function<void(std::string_view agent, std::string_view phase)> on_phase;  // investigate, diagnose, ...
  Verifier verifier;                                                 // empty: options stay unverified
  const LlmRun* llm = nullptr;  // a model's agents after the playbook's, before verification; null: playbook only
};

// Investigates the incident (full id or unique prefix). An error only when the incident is unknown or has no
// failure; a tool that fails (a dead warehouse) is a failed step and the report says what is missing.
Result<Report> run_playbook(tools::ToolContext& context, const tools::ToolRegistry& tools, std::string_view incident_id,
                            const PlaybookOptions& options = {});

// Marks exactly one option recommended: the highest-ranked by the proposer's score (in which the knowledge base's
// rules weigh most), a verified option getting a bonus and a failed one only when every option failed. Options are
// then ordered recommended first, then by rank.
void choose_recommendation(std::vector<FixOption>& options);

}  // namespace cowork::agent
