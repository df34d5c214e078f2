#include "postgres_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace cowork::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* k_system_user = "postgres";

// The newest /usr/lib/postgresql/<version>/bin that has initdb and pg_ctl ($COWORK_PG_BINDIR overrides).
Result<fs::path> find_binaries() {
  if (const char* explicit_dir = std::getenv("COWORK_PG_BINDIR"); explicit_dir != nullptr && *explicit_dir != '\0') {
    if (!fs::exists(fs::path(explicit_dir) / "initdb"))
      return make_error(ErrorCode::not_found, "COWORK_PG_BINDIR is {}, which has no initdb", explicit_dir);
    return fs::path(explicit_dir);
  }
  std::vector<std::pair<int, fs::path>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const auto bin = entry.path() / "bin";
    if (!fs::exists(bin / "initdb") || !fs::exists(bin / "pg_ctl")) continue;
    try {
      found.emplace_back(std::stoi(entry.path().filename().string()), bin);
    } catch (const std::exception&) {
    }
  }
  if (found.empty())
    return make_error(ErrorCode::not_found,
                      "PostgreSQL's server programs (initdb, pg_ctl) are not installed: no "
                      "/usr/lib/postgresql/<version>/bin. Run scripts/setup.sh (it installs the `postgresql` "
                      "package), or set COWORK_PG_BINDIR to the folder holding initdb");
  std::sort(found.begin(), found.end());
  return found.back().second;
}

struct Command {
  int exit_code = -1;
  std::string output;
};

std::string runuser_path() {
  for (const char* candidate : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"})
    if (fs::exists(candidate)) return candidate;
  return "runuser";
}

// Runs argv (no shell; argv[0] a path) in `cwd` with stdout and stderr into `log`; as the postgres user when we are
// root. Everything the child needs is prepared before fork: other threads (DuckDB's) may hold locks malloc needs.
Command run(std::vector<std::string> argv, const fs::path& cwd, const fs::path& log) {
  if (::geteuid() == 0) argv.insert(argv.begin(), {runuser_path(), "-u", k_system_user, "--"});
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in = ::open("/dev/null", O_RDONLY);
    if (out < 0 || in < 0 || ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  Command result;
  int status = 0;
  if (pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  result.output = text.str();
  return result;
}

std::string joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) out += (out.empty() ? "" : " ") + arg;
  return out;
}

// Stops the shared server when the test program ends, however many tests ran.
class SharedServerEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { PostgresServer::stop_shared(); }
};

[[maybe_unused]] const auto* const k_environment = ::testing::AddGlobalTestEnvironment(new SharedServerEnvironment);

std::mutex& shared_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::unique_ptr<PostgresServer>& shared_server() {
  static std::unique_ptr<PostgresServer> server;
  return server;
}

}  // namespace

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
    port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}

Result<std::unique_ptr<PostgresServer>> PostgresServer::start() {
  COWORK_ASSIGN_OR_RETURN(auto bin, find_binaries());
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  server->m_bin = bin;
  const auto& dir = server->m_dir.path();

  if (::geteuid() == 0) {
    const passwd* user = ::getpwnam(k_system_user);
    if (user == nullptr)
      return make_error(ErrorCode::not_found,
                        "the tests run as root, which initdb refuses, and there is no `{}` user to run it as; "
                        "install the postgresql package (scripts/setup.sh) or run the tests as another user",
                        k_system_user);
    if (::chown(dir.c_str(), user->pw_uid, user->pw_gid) != 0)
      return make_error(ErrorCode::permission_denied, "cannot give {} to the {} user", dir.string(), k_system_user);
  }
  const auto password_file = server->m_dir.write("password", std::string(k_password) + "\n");
  const auto data = dir / "data";
  const auto log = dir / "command.log";

  const std::vector<std::string> initdb = {(bin / "initdb").string(),
                                           "-D",
                                           data.string(),
                                           "-U",
                                           k_user,
                                           "--auth-local=trust",
                                           "--auth-host=scram-sha-256",
                                           "--pwfile=" + password_file.string(),
                                           "-E",
                                           "UTF8",
                                           "--locale=C",
                                           "--no-sync",
                                           "--no-instructions"};
  if (auto result = run(initdb, dir, log); result.exit_code != 0)
    return make_error(ErrorCode::internal, "`{}` failed ({}):\n{}", joined(initdb), result.exit_code, result.output);

  // A port can be taken between choosing and binding it; a few attempts make that race harmless.
  std::string failures;
  for (int attempt = 0; attempt < 3 && !server->m_running; ++attempt) {
    server->m_port = free_loopback_port();
    const auto options = fmt::format(
        "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories='{}' -c fsync=off -c full_page_writes=off "
        "-c synchronous_commit=off -c max_connections=20",
        server->m_port, dir.string());
    const std::vector<std::string> pg_ctl = {(bin / "pg_ctl").string(),
                                             "-D",
                                             data.string(),
                                             "-l",
                                             (dir / "server.log").string(),
                                             "-w",
                                             "-t",
                                             "60",
                                             "-o",
                                             options,
                                             "start"};
    auto result = run(pg_ctl, dir, log);
    if (result.exit_code == 0) {
      server->m_running = true;
    } else {
      std::ifstream server_log(dir / "server.log");
      std::stringstream text;
      text << server_log.rdbuf();
      failures += fmt::format("\n`{}` failed ({}):\n{}\nserver log:\n{}", joined(pg_ctl), result.exit_code,
                              result.output, text.str());
    }
  }
  if (!server->m_running) return make_error(ErrorCode::unavailable, "cannot start PostgreSQL:{}", failures);

  const std::vector<std::string> createdb = {(bin / "createdb").string(),    "-h", dir.string(), "-p",
                                             std::to_string(server->m_port), "-U", k_user,       k_database};
  if (auto result = run(createdb, dir, log); result.exit_code != 0)
    return make_error(ErrorCode::internal, "`{}` failed ({}):\n{}", joined(createdb), result.exit_code, result.output);
  return server;
}

PostgresServer::~PostgresServer() {
  stop();
}

void PostgresServer::stop() {
  if (!m_running) return;
  m_running = false;
  const auto& dir = m_dir.path();
  run({(m_bin / "pg_ctl").string(), "-D", (dir / "data").string(), "-m", "immediate", "-w", "stop"}, dir,
      dir / "stop.log");
}

Result<PostgresServer*> PostgresServer::shared() {
  std::lock_guard lock(shared_mutex());
  auto& server = shared_server();
  if (!server) {
    COWORK_ASSIGN_OR_RETURN(server, start());
  }
  return server.get();
}

void PostgresServer::stop_shared() {
  std::lock_guard lock(shared_mutex());
  shared_server().reset();
}

warehouse::ConnectionConfig PostgresServer::config() const {
  warehouse::ConnectionConfig config;
  config.type = "postgres";
  config.host = "127.0.0.1";
  config.port = m_port;
  config.user = k_user;
  config.password = k_password;
  config.dbname = k_database;
  config.connect_timeout = std::chrono::seconds(5);
  return config;
}

}  // namespace cowork::testing
