#include "util/files.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cowork {
namespace {

std::unexpected<Error> errno_error(const std::filesystem::path& path, std::string_view verb, int err) {
  ErrorCode code = ErrorCode::invalid_argument;
  if (err == ENOENT || err == ENOTDIR) code = ErrorCode::not_found;
  if (err == EACCES || err == EPERM) code = ErrorCode::permission_denied;
  if (err == ENOENT) return make_error(code, "{}: no such file", path.string());
  return make_error(code, "cannot {} {}: {}", verb, path.string(), std::strerror(err));
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : m_fd(fd) {}
  ~FileDescriptor() {
    if (m_fd >= 0) ::close(m_fd);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return m_fd; }

 private:
  int m_fd;
};

// Files below this size are read into the heap; above it, mapped.
constexpr std::size_t k_map_threshold = 1 << 20;

}  // namespace

Status check_regular_file(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno_error(path, "read", errno);
  if (S_ISDIR(st.st_mode))
    return make_error(ErrorCode::invalid_argument, "{}: is a directory, not a file", path.string());
  if (!S_ISREG(st.st_mode)) return make_error(ErrorCode::invalid_argument, "{}: is not a regular file", path.string());
  return {};
}

Result<PaddedFile> PaddedFile::open(const std::filesystem::path& path, std::size_t padding) {
  COWORK_TRY(check_regular_file(path));
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return errno_error(path, "open", errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error(path, "read", errno);
  const auto size = static_cast<std::size_t>(st.st_size);

  PaddedFile file;
  file.m_size = size;
  file.m_capacity = size + padding;
  if (size >= k_map_threshold) {
    // Reserve size + padding of zeroed anonymous memory, then map the file over its start. Bytes past the end of
    // the file up to the page boundary read as zero, and the anonymous pages after them supply the padding.
    const long page = ::sysconf(_SC_PAGESIZE);
    const std::size_t total = ((size + padding + page - 1) / page) * page;
    void* region = ::mmap(nullptr, total, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region != MAP_FAILED) {
      void* mapped = ::mmap(region, size, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, fd.get(), 0);
      if (mapped != MAP_FAILED) {
        file.m_data = static_cast<char*>(mapped);
        file.m_mapped_length = total;
        return file;
      }
      ::munmap(region, total);
    }
  }
  file.m_data = new char[file.m_capacity];
  std::memset(file.m_data + size, 0, padding);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd.get(), file.m_data + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(path, "read", errno);
    }
    if (n == 0) break;  // the file shrank while we read it
    done += static_cast<std::size_t>(n);
  }
  file.m_size = done;
  std::memset(file.m_data + done, 0, file.m_capacity - done);
  return file;
}

Status PaddedFile::poke(std::size_t offset, char byte) {
  if (offset >= m_size) return make_error(ErrorCode::internal, "poke at {} past the end ({} bytes)", offset, m_size);
  if (m_mapped_length > 0) {
    // The mapping is read-only; make just this page writable. Writing then copies that one page.
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    char* start = m_data + (offset / page) * page;
    if (::mprotect(start, page, PROT_READ | PROT_WRITE) != 0)
      return make_error(ErrorCode::internal, "mprotect failed: {}", std::strerror(errno));
  }
  m_edits.push_back({offset, m_data[offset]});
  m_data[offset] = byte;
  return {};
}

void PaddedFile::restore() {
  for (auto it = m_edits.rbegin(); it != m_edits.rend(); ++it) m_data[it->offset] = it->original;
  m_edits.clear();
}

PaddedFile::PaddedFile(PaddedFile&& other) noexcept {
  *this = std::move(other);
}

PaddedFile& PaddedFile::operator=(PaddedFile&& other) noexcept {
  if (this != &other) {
    release();
    m_data = std::exchange(other.m_data, nullptr);
    m_size = std::exchange(other.m_size, 0);
    m_capacity = std::exchange(other.m_capacity, 0);
    m_mapped_length = std::exchange(other.m_mapped_length, 0);
    m_edits = std::move(other.m_edits);
  }
  return *this;
}

PaddedFile::~PaddedFile() {
  release();
}

void PaddedFile::release() {
  if (m_data == nullptr) return;
  if (m_mapped_length > 0)
    ::munmap(m_data, m_mapped_length);
  else
    delete[] m_data;
  m_data = nullptr;
}

Result<std::string> read_file(const std::filesystem::path& path) {
  COWORK_TRY(check_regular_file(path));
  std::ifstream in(path, std::ios::binary);
  if (!in) return errno_error(path, "open", errno);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return errno_error(path, "read", errno);
  return std::move(buffer).str();
}

namespace {

// Writes all of `content` to `fd`; the errno of a failed write, or 0.
int write_all(int fd, std::string_view content) {
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

}  // namespace

Status write_file(const std::filesystem::path& path, std::string_view content) {
  // Unchanged content is left alone, and a changed file is replaced rather than truncated: ext4 flushes a file that
  // was truncated to zero on close (auto_da_alloc), which costs a disk write per file when thousands are rewritten.
  if (FileDescriptor existing(::open(path.c_str(), O_RDONLY | O_CLOEXEC)); existing.get() >= 0) {
    struct stat info {};
    if (::fstat(existing.get(), &info) == 0 && static_cast<std::size_t>(info.st_size) == content.size()) {
      std::string current(content.size(), '\0');
      std::size_t got = 0;
      while (got < current.size()) {
        const ssize_t n = ::read(existing.get(), current.data() + got, current.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
      }
      if (got == current.size() && current == content) return {};
    }
    ::unlink(path.c_str());
  }
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return errno_error(path, "create", errno);
  if (const int err = write_all(fd.get(), content); err != 0) return errno_error(path, "write", err);
  return {};
}

Status write_file_atomic(const std::filesystem::path& path, std::string_view content) {
  const std::filesystem::path temp = path.string() + ".cowork-tmp";
  FileDescriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return errno_error(temp, "create", errno);
  if (const int err = write_all(fd.get(), content); err != 0) {
    ::unlink(temp.c_str());
    return errno_error(temp, "write", err);
  }
  if (::fsync(fd.get()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return errno_error(temp, "sync", err);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return errno_error(path, "replace", err);
  }
  return {};
}

}  // namespace cowork
