// The LLM agents: with a model configured, an investigator (all read tools), a diagnostician (reasons over the
// evidence, may call read tools) and a fix proposer (options as JSON: exact replacements or whole new file
// contents, turned into patches here) work the incident after the playbook, starting from its evidence. Their
// findings join the playbook's; their options are checked, deduplicated against the playbook's and then verified by
// the same verifier, so the recommendation still prefers verified options and the knowledge base's rules.
//
// Hygiene: tool results, file contents, warehouse values and knowledge-base text reach the model fenced in <data>
// blocks and labelled as data; the tools cannot write and nothing here applies anything. Failure of any kind (an
// endpoint that errors, hangs, returns garbage or lies) leaves the playbook's report standing, and report.llm says
// what happened.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agent/findings.hpp"
#include "agent/llm/provider.hpp"
#include "agent/report.hpp"

namespace cowork::agent {

// A model call or its result, for the audit trail.
struct ModelEvent {
  std::string agent;
  bool result = false;  // false: the request; true: its reply (or failure)
  bool ok = true;
  std::string summary;
  std::int64_t ms = 0;
  nlohmann::json payload = nlohmann::json::object();  // tokens, attempts, tool names; never the key
};

struct LlmRun {
  llm::Provider* provider = nullptr;
  llm::Budget budget;
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(const ModelEvent&)> on_model;
  std::function<void(std::string_view agent, std::string_view text)> on_token;  // narrative as it streams
};

// Runs the three agents after the playbook's own investigation, diagnosis and proposals (before verification) and
// merges what they produce into `report`. Never fails: what went wrong is in report.llm's notes.
void run_llm_agents(const Findings& findings, Report& report, StepRecorder& recorder, const LlmRun& run);

// --- exposed for tests -------------------------------------------------------------------------------------------

// `content` fenced as data for the model, with `label` naming where it comes from; a closing tag inside it is
// neutralised so the data cannot end its own fence.
std::string fence_data(std::string_view label, std::string_view content);

// The first JSON object in a model's answer: the whole answer, a ```json block, or the outermost {...}.
std::optional<nlohmann::json> extract_json_object(std::string_view text);

// The model's fix options checked and turned into patches against the project's files: each error names the
// option and field ("options[1].edits[0]: the find text occurs 2 times in models/x.sql").
struct ProposedOptions {
  std::vector<FixOption> options;
  std::vector<std::string> errors;
};
ProposedOptions read_fix_options(const nlohmann::json& answer, const std::filesystem::path& project_dir);

}  // namespace cowork::agent
