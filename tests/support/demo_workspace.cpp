#include "support/demo_workspace.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace cowork::testing {

ProcessResult run_cowork(const std::vector<std::string>& args, const std::filesystem::path& project,
                         const std::vector<std::string>& env) {
  std::vector<std::string> argv{cowork_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  if (!project.empty()) {
    argv.push_back("--project-dir");
    argv.push_back(project.string());
  }
  std::vector<std::string> environment{"NO_COLOR=1", "COWORK_USER=ci-test"};
  environment.insert(environment.end(), env.begin(), env.end());
  return run_process(argv, environment);
}

std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

DemoWorkspace::DemoWorkspace(const std::vector<std::string>& faults) {
  m_dir = m_temp.path() / "airbnb";
  auto init = run_cowork({"demo", "init", m_dir.string(), "--force"}, {});
  if (init.exit_code != 0) throw std::runtime_error("demo init: " + init.out + init.err);
  std::vector<std::string> args{"demo", "inject"};
  args.insert(args.end(), faults.begin(), faults.end());
  auto inject = run_cowork(args, m_dir);
  if (inject.exit_code != 0 && inject.exit_code != 1) throw std::runtime_error("demo inject: " + inject.out + inject.err);
}

std::vector<std::string> DemoWorkspace::incident_ids() const {
  auto listed = run_cowork({"incidents", "--format", "json"}, m_dir);
  const auto parsed = nlohmann::json::parse(listed.out, nullptr, false);
  if (!parsed.is_object()) throw std::runtime_error("cowork incidents: " + listed.out + listed.err);
  std::vector<std::string> ids;
  for (const auto& incident : parsed["incidents"]) ids.push_back(incident["id"]);
  return ids;
}

}  // namespace cowork::testing
