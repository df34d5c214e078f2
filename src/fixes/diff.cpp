#include "fixes/diff.hpp"

#include <algorithm>
#include <charconv>
#include <unordered_map>
#include <vector>

#include "util/strings.hpp"

namespace cowork::fixes {

namespace {

// Lines with their line breaks; the last one has none when the text does not end with one.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

enum class Op : char { equal = ' ', remove = '-', insert = '+' };

// Myers' diff over interned lines, in linear space: the middle snake splits the problem in two.
class Differ {
 public:
  Differ(const std::vector<int>& a, const std::vector<int>& b) : m_a(a), m_b(b) {}

  std::vector<Op> run() {
    diff(0, static_cast<int>(m_a.size()), 0, static_cast<int>(m_b.size()));
    // Within each run of changes, removals first, as diff -u and git show them.
    for (std::size_t i = 0; i < m_ops.size();) {
      if (m_ops[i] == Op::equal) {
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < m_ops.size() && m_ops[j] != Op::equal) ++j;
      std::stable_partition(m_ops.begin() + static_cast<long>(i), m_ops.begin() + static_cast<long>(j),
                            [](Op op) { return op == Op::remove; });
      i = j;
    }
    return std::move(m_ops);
  }

 private:
  void emit(Op op, int count) {
    for (int i = 0; i < count; ++i) m_ops.push_back(op);
  }

  void diff(int a_lo, int a_hi, int b_lo, int b_hi) {
    while (a_lo < a_hi && b_lo < b_hi && m_a[a_lo] == m_b[b_lo]) {
      m_ops.push_back(Op::equal);
      ++a_lo;
      ++b_lo;
    }
    int suffix = 0;
    while (a_hi - suffix > a_lo && b_hi - suffix > b_lo && m_a[a_hi - 1 - suffix] == m_b[b_hi - 1 - suffix]) ++suffix;
    a_hi -= suffix;
    b_hi -= suffix;
    if (a_lo == a_hi) {
      emit(Op::insert, b_hi - b_lo);
    } else if (b_lo == b_hi) {
      emit(Op::remove, a_hi - a_lo);
    } else {
      int x = 0, y = 0;
      const int n = a_hi - a_lo, m = b_hi - b_lo;
      if (middle_snake(a_lo, n, b_lo, m, x, y) && !(x == 0 && y == 0) && !(x == n && y == m)) {
        diff(a_lo, a_lo + x, b_lo, b_lo + y);
        diff(a_lo + x, a_hi, b_lo + y, b_hi);
      } else {
        emit(Op::remove, n);
        emit(Op::insert, m);
      }
    }
    emit(Op::equal, suffix);
  }

  // Finds where a shortest edit path crosses the middle, walking from both ends at once (as in Myers' paper, section
  // 4b, and diff-match-patch's bisect). Sets (x, y), the split point relative to the ranges' starts.
  bool middle_snake(int a0, int n, int b0, int m, int& x_out, int& y_out) {
    const int max_d = (n + m + 1) / 2;
    const int offset = max_d;
    const int length = 2 * max_d + 2;
    m_forward.assign(static_cast<std::size_t>(length), -1);
    m_backward.assign(static_cast<std::size_t>(length), -1);
    m_forward[static_cast<std::size_t>(offset + 1)] = 0;
    m_backward[static_cast<std::size_t>(offset + 1)] = 0;
    const int delta = n - m;
    const bool front = (delta % 2) != 0;
    int k1start = 0, k1end = 0, k2start = 0, k2end = 0;
    auto v1 = [&](int k) -> int& { return m_forward[static_cast<std::size_t>(offset + k)]; };
    auto v2 = [&](int k) -> int& { return m_backward[static_cast<std::size_t>(offset + k)]; };
    for (int d = 0; d < max_d + 1; ++d) {
      for (int k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
        int x1 = (k1 == -d || (k1 != d && v1(k1 - 1) < v1(k1 + 1))) ? v1(k1 + 1) : v1(k1 - 1) + 1;
        int y1 = x1 - k1;
        while (x1 < n && y1 < m && m_a[a0 + x1] == m_b[b0 + y1]) ++x1, ++y1;
        v1(k1) = x1;
        if (x1 > n) {
          k1end += 2;
        } else if (y1 > m) {
          k1start += 2;
        } else if (front) {
          const int k2 = delta - k1;
          if (offset + k2 >= 0 && offset + k2 < length && v2(k2) != -1) {
            if (x1 >= n - v2(k2)) {
              x_out = x1;
              y_out = y1;
              return true;
            }
          }
        }
      }
      for (int k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
        int x2 = (k2 == -d || (k2 != d && v2(k2 - 1) < v2(k2 + 1))) ? v2(k2 + 1) : v2(k2 - 1) + 1;
        int y2 = x2 - k2;
        while (x2 < n && y2 < m && m_a[a0 + n - x2 - 1] == m_b[b0 + m - y2 - 1]) ++x2, ++y2;
        v2(k2) = x2;
        if (x2 > n) {
          k2end += 2;
        } else if (y2 > m) {
          k2start += 2;
        } else if (!front) {
          const int k1 = delta - k2;
          if (offset + k1 >= 0 && offset + k1 < length && v1(k1) != -1) {
            const int x1 = v1(k1);
            const int y1 = x1 - k1;
            if (x1 >= n - x2) {
              x_out = x1;
              y_out = y1;
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  const std::vector<int>& m_a;
  const std::vector<int>& m_b;
  std::vector<Op> m_ops;
  std::vector<int> m_forward, m_backward;
};

std::string range(int start, int count) {
  // GNU diff and git: "-l" for one line, "-l,n" otherwise; an empty range names the line before it.
  if (count == 1) return std::to_string(start + 1);
  return fmt::format("{},{}", count == 0 ? start : start + 1, count);
}

void append_line(std::string& out, char prefix, std::string_view line) {
  out += prefix;
  out += line;
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

std::string shown(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return "\"" + one_line(line, 80) + "\"";
}

}  // namespace

std::string unified_diff(std::string_view old_text, std::string_view new_text, std::string_view path,
                         int context_lines) {
  if (old_text == new_text) return {};
  const std::vector<std::string_view> a = split_lines(old_text);
  const std::vector<std::string_view> b = split_lines(new_text);
  std::unordered_map<std::string_view, int> ids;
  std::vector<int> ia, ib;
  ia.reserve(a.size());
  ib.reserve(b.size());
  for (std::string_view line : a) ia.push_back(ids.try_emplace(line, static_cast<int>(ids.size())).first->second);
  for (std::string_view line : b) ib.push_back(ids.try_emplace(line, static_cast<int>(ids.size())).first->second);
  const std::vector<Op> ops = Differ(ia, ib).run();

  // Positions of every op in both files, and where the changes are.
  std::vector<int> old_at(ops.size() + 1), new_at(ops.size() + 1);
  std::vector<std::size_t> changes;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    old_at[i + 1] = old_at[i] + (ops[i] != Op::insert ? 1 : 0);
    new_at[i + 1] = new_at[i] + (ops[i] != Op::remove ? 1 : 0);
    if (ops[i] != Op::equal) changes.push_back(i);
  }
  const std::size_t context = static_cast<std::size_t>(std::max(context_lines, 0));
  std::string out = fmt::format("--- a/{}\n+++ b/{}\n", path, path);
  std::size_t c = 0;
  while (c < changes.size()) {
    std::size_t last = c;
    while (last + 1 < changes.size() && changes[last + 1] - changes[last] - 1 <= 2 * context) ++last;
    const std::size_t begin = changes[c] >= context ? changes[c] - context : 0;
    const std::size_t end = std::min(ops.size(), changes[last] + 1 + context);
    out += fmt::format("@@ -{} +{} @@\n", range(old_at[begin], old_at[end] - old_at[begin]),
                       range(new_at[begin], new_at[end] - new_at[begin]));
    for (std::size_t i = begin; i < end; ++i) {
      switch (ops[i]) {
        case Op::equal:
          append_line(out, ' ', a[static_cast<std::size_t>(old_at[i])]);
          break;
        case Op::remove:
          append_line(out, '-', a[static_cast<std::size_t>(old_at[i])]);
          break;
        case Op::insert:
          append_line(out, '+', b[static_cast<std::size_t>(new_at[i])]);
          break;
      }
    }
    c = last + 1;
  }
  return out;
}

Result<std::string> apply_unified_diff(std::string_view old_text, std::string_view diff) {
  if (diff.empty()) return std::string(old_text);
  const std::vector<std::string_view> old_lines = split_lines(old_text);
  const std::vector<std::string_view> diff_lines = split_lines(diff);
  std::string path = "the file";
  std::string out;
  std::size_t cursor = 0;  // the next old line not yet copied
  std::size_t i = 0;
  int hunk_number = 0;
  auto parse_range = [](std::string_view text, int& start, int& count) {
    const std::size_t comma = text.find(',');
    const std::string_view first = text.substr(0, comma);
    if (std::from_chars(first.data(), first.data() + first.size(), start).ec != std::errc()) return false;
    count = 1;
    if (comma == std::string_view::npos) return true;
    const std::string_view second = text.substr(comma + 1);
    return std::from_chars(second.data(), second.data() + second.size(), count).ec == std::errc();
  };
  while (i < diff_lines.size()) {
    std::string_view line = diff_lines[i];
    if (line.starts_with("+++ ")) {
      std::string_view p = trim(line.substr(4));
      if (p.starts_with("b/")) p.remove_prefix(2);
      path = std::string(p);
    }
    if (!line.starts_with("@@ ")) {
      ++i;
      continue;
    }
    ++hunk_number;
    const std::string header(trim(line));
    const std::size_t minus = line.find('-'), plus = line.find(" +"), close = line.find(" @@", 3);
    int old_start = 0, old_count = 0, new_start = 0, new_count = 0;
    if (minus == std::string_view::npos || plus == std::string_view::npos || close == std::string_view::npos ||
        !parse_range(line.substr(minus + 1, plus - minus - 1), old_start, old_count) ||
        !parse_range(line.substr(plus + 2, close - plus - 2), new_start, new_count))
      return make_error(ErrorCode::invalid_argument, "patch for {}: malformed hunk header {}", path, shown(header));
    ++i;
    const std::size_t start =
        old_count == 0 ? static_cast<std::size_t>(old_start) : static_cast<std::size_t>(std::max(old_start - 1, 0));
    if (start < cursor)
      return make_error(ErrorCode::invalid_argument, "patch for {}: hunk {} ({}) overlaps the one before it", path,
                        hunk_number, header);
    if (start > old_lines.size())
      return make_error(ErrorCode::invalid_argument,
                        "patch for {} does not apply: hunk {} ({}) starts at line {} but the file has {} lines", path,
                        hunk_number, header, start + 1, old_lines.size());
    for (; cursor < start; ++cursor) out += old_lines[cursor];
    int seen_old = 0, seen_new = 0;
    while (i < diff_lines.size() && (seen_old < old_count || seen_new < new_count)) {
      std::string_view l = diff_lines[i++];
      char kind = l[0];
      std::string content(l.substr(1));
      if (l == "\n" || l == "\r\n") {
        // An empty context line whose leading space an editor or mailer stripped.
        kind = ' ';
        content = std::string(l);
      }
      if (kind == '\\') continue;
      if (kind != ' ' && kind != '-' && kind != '+')
        return make_error(ErrorCode::invalid_argument,
                          "patch for {}: hunk {} ({}) has a line {} that is not context, "
                          "removal or addition",
                          path, hunk_number, header, shown(l));
      // `\ No newline at end of file` after a line: it had no line break.
      if (i < diff_lines.size() && diff_lines[i].starts_with("\\") && !content.empty() && content.back() == '\n')
        content.pop_back();
      if (kind == '+') {
        out += content;
        ++seen_new;
        continue;
      }
      if (cursor >= old_lines.size())
        return make_error(ErrorCode::invalid_argument,
                          "patch for {} does not apply: hunk {} ({}) expects line {} to read {} but the file ends "
                          "before it",
                          path, hunk_number, header, cursor + 1, shown(content));
      if (old_lines[cursor] != content) {
        const bool only_break = shown(old_lines[cursor]) == shown(content);
        return make_error(ErrorCode::invalid_argument,
                          "patch for {} does not apply: hunk {} ({}) expects line {} to read {} but it reads {}{}",
                          path, hunk_number, header, cursor + 1, shown(content), shown(old_lines[cursor]),
                          only_break ? " (the line breaks differ)" : "");
      }
      if (kind == ' ') {
        out += content;
        ++seen_new;
      }
      ++seen_old;
      ++cursor;
    }
    if (i < diff_lines.size() && diff_lines[i].starts_with("\\")) ++i;
    if (seen_old != old_count || seen_new != new_count)
      return make_error(ErrorCode::invalid_argument,
                        "patch for {}: hunk {} ({}) is cut short: {} old and {} new lines where it announces {} and {}",
                        path, hunk_number, header, seen_old, seen_new, old_count, new_count);
  }
  for (; cursor < old_lines.size(); ++cursor) out += old_lines[cursor];
  return out;
}

}  // namespace cowork::fixes
