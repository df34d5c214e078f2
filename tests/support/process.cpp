#include "support/process.hpp"

#include <stdexcept>

namespace cowork::testing {

ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                          const std::string& cwd) {
  ProcessRequest request;
  request.argv = argv;
  request.env = env;
  request.cwd = cwd;
  auto result = cowork::run_process(request);
  if (!result) throw std::runtime_error(result.error().message);
  return std::move(*result);
}

std::string cowork_binary() {
  return COWORK_BINARY_PATH;
}
std::string fixtures_dir() {
  return COWORK_FIXTURES_DIR;
}

}  // namespace cowork::testing
