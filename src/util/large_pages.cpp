// Large allocations on transparent huge pages. Linked into the cowork executables only (not the libraries), this
// replaces the global operator new/delete so that blocks of 4 MiB and more (the parser's structural index of a
// large manifest, the vectors of its nodes) are mapped directly with MADV_HUGEPAGE: touching them then takes one
// page fault per 2 MiB instead of one per 4 kB, which on virtual machines is a fifth of the time to read a
// 100 MB manifest. Smaller blocks go to malloc as before. COWORK_HUGE_PAGES=0 turns it off.
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>

namespace {

constexpr std::size_t k_threshold = 4u << 20;

struct Block {
  void* address = nullptr;
  std::size_t length = 0;
};

// The blocks handed out, so delete can tell them from malloc's. Few ever exist at once.
class BlockTable {
 public:
  bool add(void* address, std::size_t length) {
    std::lock_guard lock(m_mutex);
    for (auto& block : m_blocks)
      if (block.address == nullptr) {
        block = {address, length};
        return true;
      }
    return false;
  }
  // Removes and returns the length of the block at `address`, or 0 if it is not one of ours.
  std::size_t remove(void* address) {
    std::lock_guard lock(m_mutex);
    for (auto& block : m_blocks)
      if (block.address == address) {
        const std::size_t length = block.length;
        block = {};
        return length;
      }
    return 0;
  }

 private:
  std::mutex m_mutex;
  std::array<Block, 64> m_blocks{};
};

BlockTable& table() {
  static BlockTable* instance = new BlockTable();  // never destroyed: delete may run during static destruction
  return *instance;
}

bool enabled() {
  static const bool on = [] {
    const char* setting = std::getenv("COWORK_HUGE_PAGES");
    return setting == nullptr || setting[0] != '0';
  }();
  return on;
}

void* map_block(std::size_t size) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t length = (size + page - 1) / page * page;
  void* address = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (address == MAP_FAILED) return nullptr;
  ::madvise(address, length, MADV_HUGEPAGE);
  if (!table().add(address, length)) {
    ::munmap(address, length);
    return nullptr;
  }
  return address;
}

void* allocate(std::size_t size) {
  if (size >= k_threshold && enabled())
    if (void* block = map_block(size)) return block;
  return std::malloc(size == 0 ? 1 : size);
}

void release(void* pointer) {
  if (pointer == nullptr) return;
  // Our blocks are page-aligned; malloc's almost never are, so most frees skip the table.
  if ((reinterpret_cast<std::uintptr_t>(pointer) & 4095u) == 0)
    if (const std::size_t length = table().remove(pointer)) {
      ::munmap(pointer, length);
      return;
    }
  std::free(pointer);
}

}  // namespace

void* operator new(std::size_t size) {
  if (void* p = allocate(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* p = allocate(size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return allocate(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return allocate(size);
}
void operator delete(void* pointer) noexcept {
  release(pointer);
}
void operator delete[](void* pointer) noexcept {
  release(pointer);
}
void operator delete(void* pointer, std::size_t) noexcept {
  release(pointer);
}
void operator delete[](void* pointer, std::size_t) noexcept {
  release(pointer);
}
void operator delete(void* pointer, const std::nothrow_t&) noexcept {
  release(pointer);
}
void operator delete[](void* pointer, const std::nothrow_t&) noexcept {
  release(pointer);
}
