// The fast path of read_transactions; see fast_transactions.hpp.
#include "fast_transactions.hpp"

#include "leadscore/io/view_ids.hpp"

#include <fast_float/fast_float.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <string_view>
#include <thread>
#include <vector>

namespace leadscore::detail {
namespace {

bool is_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\r'; }

// The same trimming as the general reader: blanks and carriage returns.
std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

bool all_blank(const char* first, const char* last) noexcept { return std::all_of(first, last, is_blank); }

// A read-only view of a whole file, unmapped on destruction.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      size_ = static_cast<std::size_t>(st.st_size);
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (p != MAP_FAILED) data_ = static_cast<const char*>(p);
    }
    ::close(fd);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
  }
  const char* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return data_ ? size_ : 0; }

 private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

const char* find(const char* first, const char* last, char c) noexcept {
  const void* hit = std::memchr(first, c, static_cast<std::size_t>(last - first));
  return hit ? static_cast<const char*>(hit) : last;
}

struct Chunk {
  const char* first = nullptr;
  const char* last = nullptr;
  ViewIds ids;
  std::vector<std::uint32_t> customer;  // into ids
  std::vector<Timestamp> time;
  std::vector<double> amount;
  bool ok = false;
  std::exception_ptr error;
};

struct Layout {
  char delimiter;
  std::size_t fields, id, date, amount;
};

// Parses the rows of one chunk; false on anything the general reader would
// treat differently or reject (a quoted field, a ragged row, a bad value).
bool parse_chunk(Chunk& c, const Layout& layout, const DateFormat& format) {
  const std::size_t estimate = static_cast<std::size_t>(c.last - c.first) / 24 + 16;
  c.customer.reserve(estimate);
  c.time.reserve(estimate);
  c.amount.reserve(estimate);
  std::string_view previous;  // the last row's id, most files are grouped by customer
  std::uint32_t previous_code = 0;
  std::string_view want[3];
  const std::size_t index[3] = {layout.id, layout.date, layout.amount};
  for (const char* p = c.first; p < c.last;) {
    const char* eol = find(p, c.last, '\n');
    std::size_t k = 0;
    for (const char* f = p;; ++k) {
      if (f < eol && *f == '"') return false;
      const char* sep = find(f, eol, layout.delimiter);
      for (int w = 0; w < 3; ++w)
        if (index[w] == k) want[w] = std::string_view(f, static_cast<std::size_t>(sep - f));
      if (sep == eol) break;
      f = sep + 1;
    }
    const char* const line = p;
    p = eol + 1;
    if (k + 1 != layout.fields) {
      if (all_blank(line, eol)) continue;  // blank lines are skipped
      return false;
    }
    const std::string_view id = trim(want[0]);
    std::uint32_t code;
    if (id.size() == previous.size() && !c.customer.empty() && id == previous) {
      code = previous_code;
    } else {
      if (id.empty()) return false;
      const std::size_t before = c.ids.names().size();
      code = c.ids.intern(id);
      if (code == before && !is_valid_utf8(id)) return false;
      previous = id;
      previous_code = code;
    }
    const auto t = format.parse(trim(want[1]));
    if (!t) return false;
    std::string_view a = trim(want[2]);
    if (a.empty()) return false;
    if (a.front() == '+') a.remove_prefix(1);
    double value = 0;
    const auto r = fast_float::from_chars(a.data(), a.data() + a.size(), value);
    if (r.ec != std::errc() || r.ptr != a.data() + a.size() || !std::isfinite(value) || value < 0) return false;
    c.customer.push_back(code);
    c.time.push_back(*t);
    c.amount.push_back(value);
  }
  return true;
}

}  // namespace

std::optional<TransactionBatch> read_transactions_fast(const std::string& path, const CsvOptions& options,
                                                       const TransactionColumns& columns) {
  if (options.delimiter == CsvOptions::whitespace || options.delimiter == '"' || !columns.discount.empty())
    return std::nullopt;
  const MappedFile file(path);
  const char* const begin = file.data();
  const char* const end = begin + file.size();
  if (!begin) return std::nullopt;

  // The first line: the header, or the first row (it sets the field count).
  const char* eol = find(begin, end, '\n');
  if (all_blank(begin, eol) || find(begin, eol, '"') != eol) return std::nullopt;
  std::vector<std::string_view> first;
  for (const char* f = begin;;) {
    const char* sep = find(f, eol, options.delimiter);
    first.push_back(trim(std::string_view(f, static_cast<std::size_t>(sep - f))));
    if (sep == eol) break;
    f = sep + 1;
  }
  const auto resolve = [&](const ColumnRef& ref) -> std::optional<std::size_t> {
    if (ref.empty()) return std::nullopt;
    if (options.header)
      for (std::size_t i = 0; i < first.size(); ++i)
        if (first[i] == ref.name) return i;
    if (ref.name.size() > 9 || !std::all_of(ref.name.begin(), ref.name.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      return std::nullopt;
    const std::size_t i = std::stoul(ref.name);
    if (i < first.size()) return i;
    return std::nullopt;
  };
  const auto id = resolve(columns.id), date = resolve(columns.date), amount = resolve(columns.amount);
  if (!id || !date || !amount || first.size() < 2) return std::nullopt;
  const Layout layout{options.delimiter, first.size(), *id, *date, *amount};
  const DateFormat format(columns.date_format);

  // One chunk per core (and per MB), cut after a line end.
  const char* const body = options.header ? std::min(eol + 1, end) : begin;
  const auto bytes = static_cast<std::size_t>(end - body);
  const std::size_t n_chunks = std::clamp<std::size_t>(
      std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()), bytes / (1 << 20) + 1), 1, 64);
  std::vector<Chunk> chunks(n_chunks);
  const char* cut = body;
  for (std::size_t k = 0; k < n_chunks; ++k) {
    chunks[k].first = cut;
    if (k + 1 == n_chunks) {
      cut = end;
    } else {
      const char* target = std::max(cut, body + bytes * (k + 1) / n_chunks);
      cut = std::min(find(target, end, '\n') + 1, end);
    }
    chunks[k].last = cut;
  }
  const auto run = [&](std::size_t k) {
    try {
      chunks[k].ok = parse_chunk(chunks[k], layout, format);
    } catch (...) {
      chunks[k].error = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> workers;
    for (std::size_t k = 1; k < n_chunks; ++k) workers.emplace_back(run, k);
    run(0);
  }
  std::size_t rows = 0, distinct = 0;
  for (const Chunk& c : chunks) {
    if (c.error) std::rethrow_exception(c.error);
    if (!c.ok) return std::nullopt;
    rows += c.customer.size();
    distinct += c.ids.names().size();
  }
  if (rows == 0) return std::nullopt;

  // Ids in file order: a chunk's new ids follow those of the chunks before.
  TransactionBatch batch;
  batch.ids.reserve(distinct);
  std::vector<std::vector<std::uint32_t>> global(n_chunks);
  for (std::size_t k = 0; k < n_chunks; ++k) {
    global[k].reserve(chunks[k].ids.names().size());
    for (const std::string_view name : chunks[k].ids.names()) global[k].push_back(batch.ids.intern(name));
  }
  batch.customer.resize(rows);
  batch.time.resize(rows);
  batch.amount.resize(rows);
  {
    std::vector<std::jthread> workers;
    std::size_t offset = 0;
    for (std::size_t k = 0; k < n_chunks; ++k) {
      const auto copy = [&batch, &chunks, &global, k, offset] {
        const Chunk& c = chunks[k];
        const auto& map = global[k];
        for (std::size_t i = 0; i < c.customer.size(); ++i) batch.customer[offset + i] = map[c.customer[i]];
        std::copy(c.time.begin(), c.time.end(), batch.time.begin() + static_cast<std::ptrdiff_t>(offset));
        std::copy(c.amount.begin(), c.amount.end(), batch.amount.begin() + static_cast<std::ptrdiff_t>(offset));
      };
      offset += chunks[k].customer.size();
      if (k + 1 < n_chunks) workers.emplace_back(copy);
      else copy();
    }
  }
  return batch;
}

}  // namespace leadscore::detail
