// A throwaway PostgreSQL server for the warehouse tests: a cluster made with initdb in a temporary folder, started
// with pg_ctl on a free port of 127.0.0.1 only (its Unix socket in that folder too), with password authentication
// (scram-sha-256) over TCP, and a database `cowork_test`. initdb refuses to run as root, so when the tests run as root
// (as they do in CI) the server's programs run as the `postgres` system user through runuser, and the folder is given
// to that user. When PostgreSQL is not installed, start() fails with a message saying so: the tests that need the
// server then fail rather than pass without having run.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "support/temp_dir.hpp"
#include "util/error.hpp"
#include "warehouse/warehouse.hpp"

namespace cowork::testing {

class PostgresServer {
 public:
  static constexpr const char* k_user = "postgres";
  static constexpr const char* k_password = "cowork-test-password";
  static constexpr const char* k_database = "cowork_test";

  // initdb, start and create the database; the error names the step that failed and includes its output.
  static Result<std::unique_ptr<PostgresServer>> start();

  // The server of this test process, started by the first test that asks and stopped when the tests end (a
  // GoogleTest environment calls stop_shared()). One server serves every test of the process, so tests name their
  // tables apart.
  static Result<PostgresServer*> shared();
  static void stop_shared();

  // Stops the server (immediately: the data is thrown away with the folder).
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return m_port; }
  // A read-write connection to the test database as the superuser, over TCP with the password.
  warehouse::ConnectionConfig config() const;

 private:
  PostgresServer() = default;
  void stop();

  TempDir m_dir;
  std::filesystem::path m_bin;
  int m_port = 0;
  bool m_running = false;
};

// A TCP port on 127.0.0.1 nothing listens on right now (bound to port 0, then released).
int free_loopback_port();

}  // namespace cowork::testing
