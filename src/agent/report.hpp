// The investigation report of DESIGN.md (`cowork investigate ID --format json`): the incident, the diagnosis with
// its evidence and the rules it relies on, 3-5 fix options with patches and their verification, and every step.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cowork::agent {

struct Step {
  std::string agent;  // investigator, diagnostician, fix_proposer, verifier
  std::string tool;
  nlohmann::json args = nlohmann::json::object();
  std::string summary;
  std::int64_t ms = 0;
  bool ok = true;
  std::string by = "playbook";  // playbook | model: who chose this call
};

struct Evidence {
  std::string tool;
  std::string summary;
};

// A knowledge-base section the diagnosis or a fix relies on.
struct KnowledgeRef {
  std::string path;
  std::string heading;
  std::string excerpt;
  double score = 0;
  int line = 0;
  std::vector<std::string> rule_ids;  // DQ-114...
  std::string id() const;             // the first rule id, else "path#heading"
};

struct RootCause {
  std::string node;
  std::string column;
  std::string category;  // data | code | config
  std::string summary;
  double confidence = 0;
  std::string by = "playbook";  // playbook | model
};

struct Diagnosis {
  RootCause root_cause;
  std::vector<Evidence> evidence;
  std::vector<KnowledgeRef> knowledge;
  std::vector<std::string> downstream_models;
  std::vector<std::string> exposures;
  std::string narrative;  // the model investigator's account, when a model took part
};

struct FileChange {
  std::string path;     // relative to the project folder
  std::string before;   // the file's content when the fix was made ("" for a new file)
  std::string after;
  std::string diff;     // unified
};

struct TestCheck {
  std::string unique_id, before, after;
  std::optional<std::int64_t> failures_before, failures_after;
};

struct VerificationResult {
  std::string status = "unverified";  // verified | failed | unverified
  std::string detail;
  std::vector<TestCheck> tests;
  std::vector<std::string> built;
  double seconds = 0;
};

struct FixOption {
  std::string id;  // set when stored
  std::string title;
  std::string strategy;  // map_values, approve_values, filter_rows, warn_severity, dedupe_latest, ...
  std::string category;  // data | code | config | snooze
  std::string risk;      // low | medium | high
  bool recommended = false;
  std::vector<std::string> pros, cons;
  std::string when_to_use;
  std::string rationale;
  std::vector<std::string> kb_refs;  // rule ids
  std::vector<FileChange> edits;
  bool warn_counts_as_pass = false;  // a severity change: the test may warn after it
  bool weakens_test = false;         // changes a test rather than the data or code (never low risk)
  int score = 0;                     // the proposer's ranking before verification
  std::string proposed_by = "playbook";  // playbook | model | playbook+model
  VerificationResult verification;
};

struct Report {
  nlohmann::ordered_json incident;
  Diagnosis diagnosis;
  std::vector<FixOption> fixes;
  std::vector<Step> steps;
  std::string engine = "playbook";
  // What the model did when one was configured: provider, model, status, turns, tokens, notes on what was not used
  // and why. Null without a model.
  nlohmann::ordered_json llm;
  std::string investigation_id;
  double seconds = 0;
};

nlohmann::ordered_json to_json(const Step& step);
nlohmann::ordered_json to_json(const VerificationResult& verification);
nlohmann::ordered_json to_json(const FixOption& fix);
nlohmann::ordered_json to_json(const Report& report);

}  // namespace cowork::agent
