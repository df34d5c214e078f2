#include "incidents/workspace.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "util/files.hpp"

namespace cowork::testing {

namespace fs = std::filesystem;

ProcessResult cowork(std::vector<std::string> args, const fs::path& cwd, std::vector<std::string> env) {
  args.insert(args.begin(), cowork_binary());
  env.push_back("NO_COLOR=1");
  return run_process(args, env, cwd.string());
}

Workspace::Workspace(const std::vector<std::string>& faults) : m_dir(m_root.path() / "ws") {
  auto init = cowork({"demo", "init", "ws"}, m_root.path());
  if (init.exit_code != 0) throw std::runtime_error("cowork demo init failed: " + init.out + init.err);
  fs::copy_file(m_dir / "target" / "run_results.json", green_run_results());
  auto text = read_file(green_run_results());
  if (!text) throw std::runtime_error(text.error().message);
  const auto run_results = nlohmann::json::parse(*text);
  for (const auto& result : run_results["results"])
    if (result["unique_id"].get<std::string>().starts_with(k_room_type_test_prefix))
      m_room_type_test = result["unique_id"].get<std::string>();
  if (m_room_type_test.empty()) throw std::runtime_error("the demo build has no test " + k_room_type_test_prefix);
  if (faults.empty()) return;
  std::vector<std::string> args = {"demo", "inject"};
  args.insert(args.end(), faults.begin(), faults.end());
  auto inject = cowork(args, m_dir);
  if (inject.exit_code != 0) throw std::runtime_error("cowork demo inject failed: " + inject.out + inject.err);
}

fs::path Workspace::copy(const std::string& name) const {
  const fs::path to = m_root.path() / name;
  fs::copy(m_dir, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  return to;
}

}  // namespace cowork::testing
