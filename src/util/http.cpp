#include "util/http.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <mutex>
#include <optional>

#include <curl/curl.h>

#include "util/strings.hpp"

namespace cowork::http {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  const Request* request = nullptr;
  Response* response = nullptr;
  bool aborted_by_callback = false;
  std::exception_ptr exception;  // thrown by on_data: kept out of libcurl's C frames, rethrown after cleanup
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    // A new response (after a 100 Continue): its status is known before the body arrives, which on_body needs.
    transfer->response->headers.clear();
    if (const auto space = line.find(' '); space != std::string_view::npos)
      transfer->response->status = std::atol(std::string(line.substr(space + 1, 3)).c_str());
    return size * count;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string name(line.substr(0, colon));
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string value(trim(line.substr(colon + 1)));
  transfer->response->headers.emplace_back(std::move(name), std::move(value));
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  if (transfer->request->on_data) {
    // Error bodies are kept whole for the message.
    const long status = transfer->response->status;
    if (status >= 200 && status < 300) {
      bool go_on = false;
      try {
        go_on = transfer->request->on_data(std::string_view(data, bytes));
      } catch (...) {
        transfer->exception = std::current_exception();
      }
      if (!go_on) {
        transfer->aborted_by_callback = true;
        return 0;
      }
      return bytes;
    }
  }
  // An error body is read for its message: its first 64 KB are plenty, the rest is dropped.
  constexpr size_t k_max_error_body = 64u << 10;
  auto& body = transfer->response->body;
  const long status = transfer->response->status;
  if (status >= 200 && status < 300) body.append(data, bytes);
  else if (body.size() < k_max_error_body) body.append(data, std::min(bytes, k_max_error_body - body.size()));
  return bytes;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* transfer = static_cast<Transfer*>(user);
  const auto* cancel = transfer->request->cancel;
  return cancel != nullptr && cancel->load() ? 1 : 0;
}

}  // namespace

std::string Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return {};
}

std::string host_of(std::string_view url) {
  auto start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  auto end = url.find_first_of("/?#", start);
  auto host = url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  if (auto at = host.rfind('@'); at != std::string_view::npos) host = host.substr(at + 1);  // never credentials
  return std::string(host);
}

std::optional<std::chrono::milliseconds> retry_after(std::string_view value) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  bool digits = true;
  for (char c : value) digits = digits && (std::isdigit(static_cast<unsigned char>(c)) || c == '.');
  if (digits) {
    try {
      const double seconds = std::stod(std::string(value));
      if (!(seconds >= 0 && seconds <= 86400)) return std::nullopt;  // a day at most; larger is nonsense
      return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
    } catch (...) {
      return std::nullopt;
    }
  }
  const time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when < 0) return std::nullopt;
  const time_t now = std::time(nullptr);
  return std::chrono::milliseconds(when > now ? (when - now) * 1000LL : 0);
}

Result<Response> send(const Request& request) {
  global_init();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return make_error(ErrorCode::internal, "could not start an HTTP client (curl_easy_init)");
  Response response;
  Transfer transfer{&request, &response};
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers)
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip for large bodies

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "POST" || !request.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  // 0 would mean "no timeout" to libcurl: a timeout is never less than a millisecond.
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<long long>(request.timeout.count(), 1)));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  // A proxy from the environment (https_proxy) serves the public APIs, never a server on this machine.
  std::string no_proxy = "127.0.0.1,localhost,::1";
  for (const char* name : {"no_proxy", "NO_PROXY"})
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') {
      no_proxy = std::string(value) + "," + no_proxy;
      break;
    }
  curl_easy_setopt(curl, CURLOPT_NOPROXY, no_proxy.c_str());
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // gzip when the server offers it
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (transfer.exception) std::rethrow_exception(transfer.exception);

  const std::string host = host_of(request.url);
  if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && transfer.aborted_by_callback)) {
    if (status != 0) response.status = status;
    return response;
  }
  if (code == CURLE_ABORTED_BY_CALLBACK)
    return make_error(ErrorCode::unavailable, "request to {} cancelled", host);
  if (code == CURLE_OPERATION_TIMEDOUT)
    return make_error(ErrorCode::timeout, "{} did not answer within {:.0f} s", host,
                      std::chrono::duration<double>(request.timeout).count());
  if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST)
    return make_error(ErrorCode::unavailable, "cannot connect to {} ({})", host, curl_easy_strerror(code));
  return make_error(ErrorCode::unavailable, "request to {} failed: {}", host, curl_easy_strerror(code));
}

bool is_cancelled(const Error& error) { return error.message.find(" cancelled") != std::string::npos; }

}  // namespace cowork::http
