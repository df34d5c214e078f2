#include "support/fake_http_server.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string_view>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

namespace cowork::testing {
namespace {

using Clock = std::chrono::steady_clock;

// How long a client may take to send its whole request before the server gives up on it.
constexpr auto k_read_limit = std::chrono::seconds(10);
constexpr size_t k_max_request = 64u << 20;

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 529: return "Overloaded";
    default: return "Status";
  }
}

// True when the peer has closed its side (or the socket failed): nothing more will be read from or written to it.
bool peer_closed(int fd) {
  pollfd p{fd, static_cast<short>(POLLIN | POLLRDHUP), 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) return true;
  if (p.revents & POLLIN) {
    char byte;
    const ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
  }
  return false;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Decodes a chunked request body; nullopt until it is complete.
std::optional<std::string> dechunk(std::string_view raw) {
  std::string out;
  size_t pos = 0;
  for (;;) {
    const size_t eol = raw.find("\r\n", pos);
    if (eol == std::string_view::npos) return std::nullopt;
    std::string size_text(trim(raw.substr(pos, eol - pos)));
    if (auto semi = size_text.find(';'); semi != std::string::npos) size_text.resize(semi);
    size_t size = 0;
    try {
      size = std::stoul(size_text, nullptr, 16);
    } catch (...) {
      return std::string();  // unreadable: treat as done, with what we have
    }
    pos = eol + 2;
    if (size == 0) return out;  // trailers are ignored
    if (raw.size() < pos + size + 2) return std::nullopt;
    out.append(raw.substr(pos, size));
    pos += size + 2;
  }
}

}  // namespace

std::string HttpExchangeRequest::header(const std::string& name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? std::string() : it->second;
}

HttpExchangeResponse HttpExchangeResponse::json(int status, std::string body) {
  HttpExchangeResponse out;
  out.status = status;
  out.headers.emplace_back("Content-Type", "application/json");
  out.body = std::move(body);
  return out;
}

HttpExchangeResponse HttpExchangeResponse::sse(const std::vector<std::pair<std::string, std::string>>& events) {
  HttpExchangeResponse out;
  out.status = 200;
  out.headers.emplace_back("Content-Type", "text/event-stream");
  out.headers.emplace_back("Cache-Control", "no-cache");
  for (const auto& [name, data] : events) {
    std::string chunk;
    if (!name.empty()) chunk += fmt::format("event: {}\n", name);
    // A multi-line payload is one data line per line, as the format requires.
    size_t start = 0;
    for (;;) {
      const size_t end = data.find('\n', start);
      chunk += fmt::format("data: {}\n", std::string_view(data).substr(start, end == std::string::npos ? end : end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    chunk += "\n";
    out.chunks.push_back(std::move(chunk));
  }
  return out;
}

FakeHttpServer::FakeHttpServer(Handler handler) : m_handler(std::move(handler)) {
  m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (m_listen < 0) throw std::runtime_error(fmt::format("FakeHttpServer: socket: {}", std::strerror(errno)));
  const int one = 1;
  ::setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(m_listen, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(m_listen, 64) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(m_listen);
    throw std::runtime_error("FakeHttpServer: bind/listen on 127.0.0.1: " + reason);
  }
  socklen_t length = sizeof address;
  ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&address), &length);
  m_port = ntohs(address.sin_port);
  if (::pipe2(m_wake, O_CLOEXEC) != 0) {
    ::close(m_listen);
    throw std::runtime_error(fmt::format("FakeHttpServer: pipe: {}", std::strerror(errno)));
  }
  m_thread = std::thread([this] { serve(); });
}

FakeHttpServer::~FakeHttpServer() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    // Unblock any client thread stuck in a read or write; their polls also watch the wake pipe.
    for (int fd : m_client_fds) ::shutdown(fd, SHUT_RDWR);
  }
  const char byte = 'x';
  [[maybe_unused]] const ssize_t n = ::write(m_wake[1], &byte, 1);  // the pipe stays readable: everyone sees it
  if (m_thread.joinable()) m_thread.join();
  for (auto& client : m_clients)
    if (client.joinable()) client.join();
  ::close(m_listen);
  ::close(m_wake[0]);
  ::close(m_wake[1]);
}

std::string FakeHttpServer::url() const { return fmt::format("http://127.0.0.1:{}", m_port); }

std::vector<HttpExchangeRequest> FakeHttpServer::requests() const {
  std::lock_guard lock(m_mutex);
  return m_requests;
}

size_t FakeHttpServer::request_count() const {
  std::lock_guard lock(m_mutex);
  return m_requests.size();
}

bool FakeHttpServer::stopping() const {
  std::lock_guard lock(m_mutex);
  return m_stopping;
}

void FakeHttpServer::serve() {
  for (;;) {
    pollfd fds[2] = {{m_listen, POLLIN, 0}, {m_wake[0], POLLIN, 0}};
    const int ready = ::poll(fds, 2, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;  // stopping
    if (!(fds[0].revents & POLLIN)) continue;
    const int client = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    std::lock_guard lock(m_mutex);
    if (m_stopping) {
      ::close(client);
      return;
    }
    m_client_fds.push_back(client);
    m_clients.emplace_back([this, client] {
      answer(client);
      std::lock_guard guard(m_mutex);
      m_client_fds.erase(std::remove(m_client_fds.begin(), m_client_fds.end(), client), m_client_fds.end());
      ::close(client);
    });
  }
}

// Waits up to `delay`, in small slices; false when the server is stopping or the client went away meanwhile.
bool FakeHttpServer::pause(int client, std::chrono::milliseconds delay) const {
  const auto until = Clock::now() + delay;
  for (;;) {
    if (stopping() || peer_closed(client)) return false;
    const auto now = Clock::now();
    if (now >= until) return true;
    const auto slice = std::min<Clock::duration>(until - now, std::chrono::milliseconds(10));
    pollfd p{m_wake[0], POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(slice).count()));
  }
}

void FakeHttpServer::answer(int client) {
  // Read the request line, the headers and the body.
  std::string raw;
  size_t header_end = std::string::npos;
  HttpExchangeRequest request;
  size_t content_length = 0;
  bool chunked = false;
  const auto deadline = Clock::now() + k_read_limit;
  char buffer[16384];
  for (;;) {
    if (header_end != std::string::npos) {
      const std::string_view rest = std::string_view(raw).substr(header_end);
      if (chunked) {
        if (auto body = dechunk(rest)) {
          request.body = std::move(*body);
          break;
        }
      } else if (rest.size() >= content_length) {
        request.body = std::string(rest.substr(0, content_length));
        break;
      }
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || raw.size() > k_max_request) return;
    pollfd fds[2] = {{client, POLLIN, 0}, {m_wake[0], POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(std::min<long long>(left, 100))) < 0 && errno != EINTR) return;
    if (fds[1].revents != 0) return;
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return;  // closed before the request was whole
    raw.append(buffer, static_cast<size_t>(n));
    if (header_end != std::string::npos) continue;
    const size_t blank = raw.find("\r\n\r\n");
    if (blank == std::string::npos) continue;
    header_end = blank + 4;
    // Request line.
    const std::string_view head(raw.data(), blank);
    const size_t line_end = head.find("\r\n");
    const std::string_view first = head.substr(0, line_end);
    const size_t s1 = first.find(' ');
    const size_t s2 = first.find(' ', s1 == std::string_view::npos ? s1 : s1 + 1);
    if (s1 == std::string_view::npos || s2 == std::string_view::npos) return;
    request.method = std::string(first.substr(0, s1));
    request.target = std::string(first.substr(s1 + 1, s2 - s1 - 1));
    request.path = request.target.substr(0, request.target.find('?'));
    // Header lines.
    size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t end = head.find("\r\n", pos);
      if (end == std::string_view::npos) end = head.size();
      const std::string_view line = head.substr(pos, end - pos);
      if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
        std::string name = lower(trim(line.substr(0, colon)));
        std::string value(trim(line.substr(colon + 1)));
        auto [it, inserted] = request.headers.emplace(name, value);
        if (!inserted) it->second += ", " + value;
      }
      pos = end + 2;
    }
    chunked = lower(request.header("transfer-encoding")).find("chunked") != std::string::npos;
    if (!chunked && !request.header("content-length").empty()) {
      try {
        content_length = std::stoul(request.header("content-length"));
      } catch (...) {
        return;
      }
    }
  }

  {
    std::lock_guard lock(m_mutex);
    m_requests.push_back(request);
  }

  HttpExchangeResponse response;
  try {
    response = m_handler(request);
  } catch (const std::exception& e) {
    response = HttpExchangeResponse::json(500, fmt::format(R"({{"error": {{"message": "test handler threw: {}"}}}})", e.what()));
  } catch (...) {
    response = HttpExchangeResponse::json(500, R"({"error": {"message": "test handler threw"}})");
  }

  if (response.hang.count() > 0 && !pause(client, response.hang)) return;

  std::string head = fmt::format("HTTP/1.1 {} {}\r\n", response.status, reason_phrase(response.status));
  bool has_type = false;
  for (const auto& [name, value] : response.headers) {
    const std::string name_lower = lower(name);
    if (name_lower == "content-length" || name_lower == "transfer-encoding" || name_lower == "connection") continue;
    has_type = has_type || name_lower == "content-type";
    head += fmt::format("{}: {}\r\n", name, value);
  }
  if (!has_type) head += "Content-Type: application/json\r\n";
  head += "Connection: close\r\n";
  const bool chunks = !response.chunks.empty();
  head += chunks ? std::string("Transfer-Encoding: chunked\r\n")
                 : fmt::format("Content-Length: {}\r\n", response.body.size());
  head += "\r\n";

  if (!chunks) {
    if (!send_all(client, head + response.body)) return;
  } else {
    if (!send_all(client, head)) return;
    for (const auto& chunk : response.chunks) {
      if (response.chunk_delay.count() > 0 && !pause(client, response.chunk_delay)) return;
      if (chunk.empty()) continue;  // an empty chunk would end the body
      if (!send_all(client, fmt::format("{:x}\r\n", chunk.size()) + chunk + "\r\n")) return;
    }
    if (!send_all(client, "0\r\n\r\n")) return;
  }
  // Let the client read everything before the socket goes: half-close, then wait briefly for its close.
  ::shutdown(client, SHUT_WR);
  const auto linger_until = Clock::now() + std::chrono::milliseconds(500);
  while (Clock::now() < linger_until) {
    pollfd fds[2] = {{client, POLLIN, 0}, {m_wake[0], POLLIN, 0}};
    if (::poll(fds, 2, 50) < 0 && errno != EINTR) break;
    if (fds[1].revents != 0) break;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) break;
    }
  }
}

}  // namespace cowork::testing
