#include "agent/report.hpp"

namespace cowork::agent {

std::string KnowledgeRef::id() const { return rule_ids.empty() ? path + "#" + heading : rule_ids.front(); }

nlohmann::ordered_json to_json(const Step& step) {
  nlohmann::ordered_json out;
  out["agent"] = step.agent;
  out["tool"] = step.tool;
  out["args"] = step.args;
  out["summary"] = step.summary;
  out["ms"] = step.ms;
  out["ok"] = step.ok;
  out["by"] = step.by;
  return out;
}

nlohmann::ordered_json to_json(const VerificationResult& verification) {
  nlohmann::ordered_json out;
  out["status"] = verification.status;
  out["detail"] = verification.detail;
  out["tests"] = nlohmann::ordered_json::array();
  for (const auto& test : verification.tests) {
    nlohmann::ordered_json t;
    t["unique_id"] = test.unique_id;
    t["before"] = test.before;
    t["after"] = test.after;
    t["failures_before"] = test.failures_before ? nlohmann::ordered_json(*test.failures_before) : nullptr;
    t["failures_after"] = test.failures_after ? nlohmann::ordered_json(*test.failures_after) : nullptr;
    out["tests"].push_back(std::move(t));
  }
  out["built"] = verification.built;
  out["seconds"] = verification.seconds;
  return out;
}

nlohmann::ordered_json to_json(const FixOption& fix) {
  nlohmann::ordered_json out;
  out["id"] = fix.id;
  out["title"] = fix.title;
  out["strategy"] = fix.strategy;
  out["category"] = fix.category;
  out["risk"] = fix.risk;
  out["recommended"] = fix.recommended;
  out["pros"] = fix.pros;
  out["cons"] = fix.cons;
  out["when_to_use"] = fix.when_to_use;
  out["rationale"] = fix.rationale;
  out["kb_refs"] = fix.kb_refs;
  out["proposed_by"] = fix.proposed_by;
  out["edits"] = nlohmann::ordered_json::array();
  for (const auto& edit : fix.edits) out["edits"].push_back({{"path", edit.path}, {"diff", edit.diff}});
  out["verification"] = to_json(fix.verification);
  return out;
}

nlohmann::ordered_json to_json(const Report& report) {
  nlohmann::ordered_json out;
  out["investigation_id"] = report.investigation_id;
  out["incident"] = report.incident;
  nlohmann::ordered_json diagnosis;
  const auto& root = report.diagnosis.root_cause;
  diagnosis["root_cause"] = {{"node", root.node},
                             {"column", root.column},
                             {"category", root.category},
                             {"summary", root.summary},
                             {"confidence", root.confidence},
                             {"by", root.by}};
  if (!report.diagnosis.narrative.empty()) diagnosis["narrative"] = report.diagnosis.narrative;
  diagnosis["evidence"] = nlohmann::ordered_json::array();
  for (const auto& evidence : report.diagnosis.evidence)
    diagnosis["evidence"].push_back({{"tool", evidence.tool}, {"summary", evidence.summary}});
  diagnosis["knowledge"] = nlohmann::ordered_json::array();
  for (const auto& ref : report.diagnosis.knowledge)
    diagnosis["knowledge"].push_back({{"path", ref.path},
                                      {"heading", ref.heading},
                                      {"excerpt", ref.excerpt},
                                      {"score", ref.score},
                                      {"line", ref.line},
                                      {"rule_ids", ref.rule_ids}});
  diagnosis["impact"] = {{"downstream_models", report.diagnosis.downstream_models},
                         {"exposures", report.diagnosis.exposures}};
  out["diagnosis"] = std::move(diagnosis);
  out["fixes"] = nlohmann::ordered_json::array();
  for (const auto& fix : report.fixes) out["fixes"].push_back(to_json(fix));
  out["steps"] = nlohmann::ordered_json::array();
  for (const auto& step : report.steps) out["steps"].push_back(to_json(step));
  out["engine"] = report.engine;
  if (!report.llm.is_null()) out["llm"] = report.llm;
  out["seconds"] = report.seconds;
  return out;
}

}  // namespace cowork::agent
