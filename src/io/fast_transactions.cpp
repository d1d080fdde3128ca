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
  std::size_t offset = 0;  // of its first row in the batch
  std::size_t capacity = 0;  // lines: an upper bound on its rows
  std::size_t rows = 0;
  ViewIds ids;
  bool ok = false;
  std::exception_ptr error;
};

struct Layout {
  char delimiter;
  std::size_t fields, id, date, amount;
};

// Days since 1970-01-01 of a valid civil date (H. Hinnant's algorithm).
constexpr std::int64_t days_from_civil(int y, int m, int d) noexcept {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

// A plain "YYYY-MM-DD" without locale or allocation; anything else (a time,
// an invalid day) goes to the general DateFormat.
std::optional<Timestamp> parse_date(std::string_view s, const DateFormat& format, bool iso) noexcept {
  if (iso && s.size() == 10 && s[4] == '-' && s[7] == '-') {
    int v[8];
    const int at[8] = {0, 1, 2, 3, 5, 6, 8, 9};
    bool digits = true;
    for (int k = 0; k < 8; ++k) {
      v[k] = s[static_cast<std::size_t>(at[k])] - '0';
      digits &= v[k] >= 0 && v[k] <= 9;
    }
    if (digits) {
      const int y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3], m = v[4] * 10 + v[5], d = v[6] * 10 + v[7];
      static constexpr int month_days[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
      if (m >= 1 && m <= 12 && d >= 1 && d <= month_days[m] && (m != 2 || d <= 28 || leap))
        return days_from_civil(y, m, d) * seconds_per_day;
    }
  }
  return format.parse(s);
}

// Parses the rows of one chunk into the batch from row c.offset on
// (customer holds chunk-local codes); false on anything the general reader
// would treat differently or reject (a quoted field, a ragged row, a bad value).
bool parse_chunk(Chunk& c, TransactionBatch& batch, const Layout& layout, const DateFormat& format) {
  const bool iso = format.pattern() == "iso";
  std::uint32_t* const customer = batch.customer.data() + c.offset;
  Timestamp* const time = batch.time.data() + c.offset;
  double* const amount = batch.amount.data() + c.offset;
  std::size_t row = 0;
  std::string_view previous;  // the last row's id: most files are grouped by customer
  std::uint32_t previous_code = 0;
  std::string_view want[3];
  const std::size_t index[3] = {layout.id, layout.date, layout.amount};
  const char delim = layout.delimiter;
  for (const char* p = c.first; p < c.last;) {
    const char* const line = p;
    std::size_t k = 0;
    const char* f = p;
    for (;; ++p) {
      const bool eol = p == c.last || *p == '\n';
      if (eol || *p == delim) {
        if (f < p && *f == '"') return false;
        for (int w = 0; w < 3; ++w)
          if (index[w] == k) want[w] = std::string_view(f, static_cast<std::size_t>(p - f));
        ++k;
        f = p + 1;
        if (eol) break;
      }
    }
    const char* const eol = p;
    if (p < c.last) ++p;
    if (k != layout.fields) {
      if (all_blank(line, eol)) continue;  // blank lines are skipped
      return false;
    }
    const std::string_view id = trim(want[0]);
    std::uint32_t code;
    if (id.size() == previous.size() && row > 0 && id == previous) {
      code = previous_code;
    } else {
      if (id.empty()) return false;
      const std::size_t before = c.ids.size();
      code = c.ids.intern(id);
      if (code == before && !is_valid_utf8(id)) return false;
      previous = id;
      previous_code = code;
    }
    const auto t = parse_date(trim(want[1]), format, iso);
    if (!t) return false;
    std::string_view a = trim(want[2]);
    if (a.empty()) return false;
    if (a.front() == '+') a.remove_prefix(1);
    double value = 0;
    const auto r = fast_float::from_chars(a.data(), a.data() + a.size(), value);
    if (r.ec != std::errc() || r.ptr != a.data() + a.size() || !std::isfinite(value) || value < 0) return false;
    if (row == c.capacity) return false;  // cannot happen: rows <= lines
    customer[row] = code;
    time[row] = *t;
    amount[row] = value;
    ++row;
  }
  c.rows = row;
  return true;
}

// Runs f(k) for k in 0..n-1, one thread each (the caller's for k = 0), and
// rethrows the first exception.
template <class F>
void parallel(std::size_t n, F&& f) {
  std::vector<std::exception_ptr> errors(n);
  {
    std::vector<std::jthread> workers;
    for (std::size_t k = 1; k < n; ++k)
      workers.emplace_back([&, k] {
        try {
          f(k);
        } catch (...) {
          errors[k] = std::current_exception();
        }
      });
    try {
      f(0);
    } catch (...) {
      errors[0] = std::current_exception();
    }
  }
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
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
  // Lines per chunk bound its rows, so every chunk parses straight into the
  // batch at its own offset.
  parallel(n_chunks, [&](std::size_t k) {
    Chunk& c = chunks[k];
    if (c.first < c.last)
      c.capacity = static_cast<std::size_t>(std::count(c.first, c.last, '\n')) + (c.last[-1] != '\n');
  });
  std::size_t capacity = 0;
  for (Chunk& c : chunks) c.offset = capacity, capacity += c.capacity;
  TransactionBatch batch;
  batch.customer.resize(capacity);
  batch.time.resize(capacity);
  batch.amount.resize(capacity);
  parallel(n_chunks, [&](std::size_t k) { chunks[k].ok = parse_chunk(chunks[k], batch, layout, format); });
  std::size_t distinct = 0;
  for (const Chunk& c : chunks) {
    if (!c.ok) return std::nullopt;
    distinct += c.ids.size();
  }

  // Ids in file order: a chunk's new ids follow those of the chunks before
  // (chunk 0's codes are already final), then rows close any gaps left by
  // blank lines.
  batch.ids.reserve(distinct);
  std::vector<std::vector<std::uint32_t>> global(n_chunks);
  for (std::size_t k = 0; k < n_chunks; ++k) {
    global[k].reserve(chunks[k].ids.size());
    for (const std::string_view name : chunks[k].ids.names()) global[k].push_back(batch.ids.intern(name));
  }
  parallel(n_chunks, [&](std::size_t k) {
    if (k == 0) return;
    const auto& map = global[k];
    std::uint32_t* code = batch.customer.data() + chunks[k].offset;
    for (std::size_t i = 0; i < chunks[k].rows; ++i) code[i] = map[code[i]];
  });
  std::size_t rows = 0;
  for (const Chunk& c : chunks) {
    if (c.offset != rows) {
      const auto move = [&](auto& v) {
        std::copy(v.begin() + static_cast<std::ptrdiff_t>(c.offset),
                  v.begin() + static_cast<std::ptrdiff_t>(c.offset + c.rows), v.begin() + static_cast<std::ptrdiff_t>(rows));
      };
      move(batch.customer), move(batch.time), move(batch.amount);
    }
    rows += c.rows;
  }
  if (rows == 0) return std::nullopt;
  batch.customer.resize(rows);
  batch.time.resize(rows);
  batch.amount.resize(rows);
  return batch;
}

}  // namespace leadscore::detail
