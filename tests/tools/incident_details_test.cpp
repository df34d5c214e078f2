// incident_details: the incident, with what its failing tests check.
#include <gtest/gtest.h>

#include "demo_workspace.hpp"

namespace cowork::testing {
namespace {

// The incident whose failures include a test on `column` of dim_listings_cleansed.
std::string incident_on(const std::string& column) {
  for (const auto& incident : demo_context().report.incidents)
    for (const auto& failure : incident.failures)
      if (failure.column == column && failure.subject == "model.airbnb.dim_listings_cleansed") return incident.id;
  ADD_FAILURE() << "no incident on " << column;
  return {};
}

TEST(IncidentDetails, AddsWhatTheFailingTestChecks) {
  const std::string id = incident_on("room_type");
  const auto out = call_ok("incident_details", {{"incident_id", id}});
  EXPECT_EQ(out.result["id"], id);
  const nlohmann::json* room_type = nullptr;
  for (const auto& failure : out.result["failures"])
    if (failure.contains("test") && failure["test"].is_object() && failure["test"]["column"] == "room_type")
      room_type = &failure;
  ASSERT_NE(room_type, nullptr) << out.result.dump(2);
  const auto& test = (*room_type)["test"];
  EXPECT_EQ(test["test_name"], "accepted_values");
  EXPECT_EQ(test["model"], "model.airbnb.dim_listings_cleansed");
  EXPECT_EQ(test["severity"], "ERROR");
  EXPECT_TRUE(test["where"].is_null());
  EXPECT_EQ(test["kwargs"]["values"].size(), 4u);
  EXPECT_EQ((*room_type)["failures"], 1);
  EXPECT_NE(out.summary.find(id), std::string::npos);
}

TEST(IncidentDetails, AnIdPrefixWorks) {
  const std::string id = incident_on("host_id");
  const auto out = call_ok("incident_details", {{"incident_id", id.substr(0, 7)}});
  EXPECT_EQ(out.result["id"], id);
}

TEST(IncidentDetails, AnUnknownIncidentListsTheOpenOnes) {
  const Error error = call_error("incident_details", {{"incident_id", "inc_00000000"}});
  EXPECT_EQ(error.code, ErrorCode::not_found);
  EXPECT_NE(error.message.find(incident_on("room_type")), std::string::npos) << error.message;
}

TEST(IncidentDetails, TheIdIsRequired) {
  const Error error = call_error("incident_details", nlohmann::json::object());
  EXPECT_EQ(error.message, "incident_details: args.incident_id: required argument missing");
}

}  // namespace
}  // namespace cowork::testing
