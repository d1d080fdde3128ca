// The fast path of read_transactions; see fast_transactions.hpp.
#include "fast_transactions.hpp"

#include "../core/parallel.hpp"
#include "leadscore/core/error.hpp"
#include "leadscore/io/transaction_view.hpp"
#include "leadscore/io/view_ids.hpp"

#include <fast_float/fast_float.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <chrono>
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

bool all_blank(const char* first, const char* last) noexcept {
  return std::all_of(first, last, is_blank);
}

// A read-only view of a whole file, unmapped on destruction.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st{};
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
  std::size_t offset = 0;    // of its first row in the batch
  std::size_t capacity = 0;  // lines: an upper bound on its rows
  std::size_t rows = 0;
  ViewIds ids;
  bool ok = false;
};

struct Layout {
  char delimiter;
  std::size_t fields, id, date, amount;
};

// Days since 1970-01-01 of the first of each month of 1900..2199, and the
// month's length: a plain date is two table reads.
struct MonthTable {
  static constexpr int first_year = 1900, years = 300;
  std::int32_t start[years * 12];
  std::uint8_t length[years * 12];
  MonthTable() {
    for (int i = 0; i < years * 12; ++i) {
      const int y = first_year + i / 12;
      const auto m = static_cast<unsigned>(i % 12 + 1);
      start[i] = *make_day(y, m, 1);
      const std::chrono::year_month_day_last last{std::chrono::year{y} / std::chrono::month{m} /
                                                  std::chrono::last};
      length[i] = static_cast<std::uint8_t>(static_cast<unsigned>(last.day()));
    }
  }
};

// A plain "YYYY-MM-DD" without locale or allocation; anything else (a time,
// a year outside the table, an invalid day) goes to the general DateFormat.
// False when neither reads it. (Not an optional: the profile showed its
// flag byte written and then read back as a whole word, a stall per row.)
bool parse_date(std::string_view s, const DateFormat& format, bool iso, Timestamp& out) noexcept {
  static const MonthTable table;
  if (iso && s.size() == 10 && s[4] == '-' && s[7] == '-') {
    int v[8];
    const int at[8] = {0, 1, 2, 3, 5, 6, 8, 9};
    bool digits = true;
    for (int k = 0; k < 8; ++k) {
      v[k] = s[static_cast<std::size_t>(at[k])] - '0';
      digits &= v[k] >= 0 && v[k] <= 9;
    }
    const int y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3], m = v[4] * 10 + v[5],
              d = v[6] * 10 + v[7];
    const int i = (y - MonthTable::first_year) * 12 + m - 1;
    if (digits && m >= 1 && m <= 12 && i >= 0 && i < MonthTable::years * 12 && d >= 1 &&
        d <= table.length[i]) {
      out = static_cast<Timestamp>(table.start[i] + d - 1) * seconds_per_day;
      return true;
    }
  }
  const std::optional<Timestamp> t = format.parse(s);
  if (t) out = *t;
  return t.has_value();
}

// An amount such as "14.41": digits, optionally a point and more digits, 15
// digits at most. Its value is the digits as an integer over 10^decimals;
// both are exact doubles, so IEEE division rounds the quotient correctly,
// which is what fast_float returns too. False for anything else.
bool plain_amount(std::string_view a, double& out) noexcept {
  static constexpr double kPow10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  if (a.empty() || a.size() > 16) return false;
  std::uint64_t digits = 0;
  std::size_t n = 0, point = a.size();
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto d = static_cast<unsigned>(static_cast<unsigned char>(a[i]) - '0');
    if (d <= 9) {
      digits = digits * 10 + d;
      ++n;
    } else if (a[i] == '.' && point == a.size() && i > 0 && i + 1 < a.size()) {
      point = i;
    } else {
      return false;
    }
  }
  if (n > 15) return false;
  const std::size_t decimals = point == a.size() ? 0 : a.size() - point - 1;
  out = static_cast<double>(digits) / kPow10[decimals];
  return true;
}

// The first delimiter or line end in [p, last), else last. Eight bytes at a
// time on little-endian machines: a byte of w equals c where w ^ c has a
// zero byte, and the lowest flag of (v - 0x01..) & ~v & 0x80.. marks the
// lowest zero byte of v exactly (borrows only reach higher bytes).
const char* next_stop(const char* p, const char* last, char delim) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    const std::uint64_t delims = ones * static_cast<unsigned char>(delim), newlines = ones * '\n';
    for (; last - p >= 8; p += 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      const std::uint64_t a = w ^ delims, b = w ^ newlines;
      const std::uint64_t hit = (((a - ones) & ~a) | ((b - ones) & ~b)) & highs;
      if (hit) return p + std::countr_zero(hit) / 8;
    }
  }
  while (p < last && *p != delim && *p != '\n') ++p;
  return p;
}

// Where the rows go: arrays of at least the file's line count.
struct Columns {
  std::uint32_t* customer;
  Timestamp* time;
  double* amount;
};

// Parses the rows of [first, last), handing each to sink.add(id, same,
// line, time, amount): `same` when the id equals the previous row's, `line`
// the row's first character; the sink may refuse the row. False on anything
// the general reader would treat differently or reject (a quoted field, a
// ragged row, a bad value) and on a refused row.
template <class Sink>
bool parse_rows(const char* first, const char* last, const Layout& layout, const DateFormat& format, Sink& sink) {
  const bool iso = format.pattern() == "iso";
  bool any = false;
  std::string_view previous;  // the last row's id: most files are grouped by customer
  std::string_view want[3];
  const std::size_t index[3] = {layout.id, layout.date, layout.amount};
  const char delim = layout.delimiter;
  for (const char* p = first; p < last;) {
    const char* const line = p;
    std::size_t k = 0;
    for (const char* f = p;; f = p + 1) {
      p = next_stop(f, last, delim);
      if (f < p && *f == '"') return false;
      for (int w = 0; w < 3; ++w)
        if (index[w] == k) want[w] = std::string_view(f, static_cast<std::size_t>(p - f));
      ++k;
      if (p == last || *p == '\n') break;
    }
    const char* const eol = p;
    if (p < last) ++p;
    if (k != layout.fields) {
      if (all_blank(line, eol)) continue;  // blank lines are skipped
      return false;
    }
    const std::string_view id = trim(want[0]);
    const bool same = any && same_id(id, previous);
    if (!same) {
      if (id.empty() || !is_valid_utf8(id)) return false;
      previous = id;
      any = true;
    }
    Timestamp t;
    if (!parse_date(trim(want[1]), format, iso, t)) return false;
    std::string_view a = trim(want[2]);
    if (a.empty()) return false;
    if (a.front() == '+') a.remove_prefix(1);
    double value = 0;
    if (!plain_amount(a, value)) {
      const auto r = fast_float::from_chars(a.data(), a.data() + a.size(), value);
      if (r.ec != std::errc() || r.ptr != a.data() + a.size() || !std::isfinite(value) || value < 0)
        return false;
    }
    if (!sink.add(id, same, line, t, value)) return false;
  }
  return true;
}

// A chunk's rows into the arrays at its offset, with chunk-local codes.
struct ArraySink {
  Chunk& c;
  const Columns& out;
  std::uint32_t code = 0;
  bool add(std::string_view id, bool same, const char*, Timestamp t, double amount) {
    if (!same) code = c.ids.intern(id);
    if (c.rows == c.capacity) return false;  // cannot happen: rows <= lines
    out.customer[c.offset + c.rows] = code;
    out.time[c.offset + c.rows] = t;
    out.amount[c.offset + c.rows] = amount;
    ++c.rows;
    return true;
  }
};

// A plain file's layout and its cut into one chunk per core (and per MB) at
// line ends, or nullopt when the fast path does not apply.
struct Plan {
  Layout layout;
  DateFormat format;
  std::vector<Chunk> chunks;
};

// `first_share`: the first chunk's share of the bytes over each other
// chunk's (more than 1 when the others have more to do per row).
std::optional<Plan> plan(const MappedFile& file, const CsvOptions& options, const TransactionColumns& columns,
                         double first_share = 1.0) {
  const char d = options.delimiter;
  if (d == CsvOptions::whitespace || d == '"' || d == '\n' || d == '\r' ||
      !columns.discount.empty())
    return std::nullopt;
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
    if (ref.name.size() > 9 || !std::all_of(ref.name.begin(), ref.name.end(),
                                            [](char ch) { return ch >= '0' && ch <= '9'; }))
      return std::nullopt;
    const std::size_t i = std::stoul(ref.name);
    if (i < first.size()) return i;
    return std::nullopt;
  };
  const auto id = resolve(columns.id), date = resolve(columns.date),
             amount = resolve(columns.amount);
  if (!id || !date || !amount || first.size() < 2) return std::nullopt;
  Plan plan{Layout{options.delimiter, first.size(), *id, *date, *amount}, DateFormat(columns.date_format), {}};

  const char* const body = !options.header ? begin : eol == end ? end : eol + 1;
  const auto bytes = static_cast<std::size_t>(end - body);
  const std::size_t n_chunks = std::clamp<std::size_t>(
      std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()),
                            bytes / (1 << 20) + 1),
      1, 64);
  plan.chunks.resize(n_chunks);
  const char* cut = body;
  for (std::size_t k = 0; k < n_chunks; ++k) {
    plan.chunks[k].first = cut;
    if (k + 1 == n_chunks) {
      cut = end;
    } else {
      const double share = (first_share + static_cast<double>(k)) / (first_share + static_cast<double>(n_chunks - 1));
      const char* target = std::max(cut, body + static_cast<std::size_t>(static_cast<double>(bytes) * share));
      const char* newline = find(target, end, '\n');
      cut = newline == end ? end : newline + 1;
    }
    plan.chunks[k].last = cut;
  }
  return plan;
}

// The file's rows, parsed in parallel into the arrays allocate(lines)
// returns: the chunks (rows and chunk-local ids each), or nullopt when the
// fast path does not apply.
template <class Allocate>
std::optional<std::vector<Chunk>> parse_file(const MappedFile& file, const CsvOptions& options,
                                             const TransactionColumns& columns,
                                             Allocate&& allocate) {
  auto planned = plan(file, options, columns);
  if (!planned) return std::nullopt;
  auto& chunks = planned->chunks;
  const std::size_t n_chunks = chunks.size();
  // Lines per chunk bound its rows, so every chunk parses straight into the
  // arrays at its own offset.
  parallel_for(n_chunks, n_chunks, [&](std::size_t k) {
    Chunk& c = chunks[k];
    if (c.first < c.last)
      c.capacity =
          static_cast<std::size_t>(std::count(c.first, c.last, '\n')) + (c.last[-1] != '\n');
  });
  std::size_t capacity = 0;
  for (Chunk& c : chunks) c.offset = capacity, capacity += c.capacity;
  const Columns out = allocate(capacity);
  parallel_for(n_chunks, n_chunks, [&](std::size_t k) {
    ArraySink sink{chunks[k], out};
    chunks[k].ok = parse_rows(chunks[k].first, chunks[k].last, planned->layout, planned->format, sink);
  });
  std::size_t rows = 0;
  for (const Chunk& c : chunks) {
    if (!c.ok) return std::nullopt;
    rows += c.rows;
  }
  if (rows == 0) return std::nullopt;
  return std::move(chunks);
}

// Codes from chunk-local to file order (`global[k]` maps chunk k's codes),
// and rows moved down over the gaps blank lines left; returns the rows.
std::size_t finish(std::vector<Chunk>& chunks,
                   const std::vector<std::vector<std::uint32_t>>& global, const Columns& out) {
  parallel_for(chunks.size(), chunks.size(), [&](std::size_t k) {
    if (global[k].empty()) return;
    const auto& map = global[k];
    std::uint32_t* code = out.customer + chunks[k].offset;
    for (std::size_t i = 0; i < chunks[k].rows; ++i) code[i] = map[code[i]];
  });
  std::size_t rows = 0;
  for (const Chunk& c : chunks) {
    if (c.offset != rows) {
      std::copy_n(out.customer + c.offset, c.rows, out.customer + rows);
      std::copy_n(out.time + c.offset, c.rows, out.time + rows);
      std::copy_n(out.amount + c.offset, c.rows, out.amount + rows);
    }
    rows += c.rows;
  }
  return rows;
}

}  // namespace

std::optional<TransactionBatch> read_transactions_fast(const std::string& path,
                                                       const CsvOptions& options,
                                                       const TransactionColumns& columns) {
  const MappedFile file(path);
  TransactionBatch batch;
  auto chunks = parse_file(file, options, columns, [&](std::size_t capacity) {
    batch.customer.resize(capacity);
    batch.time.resize(capacity);
    batch.amount.resize(capacity);
    return Columns{batch.customer.data(), batch.time.data(), batch.amount.data()};
  });
  if (!chunks) return std::nullopt;
  // Ids in file order: a chunk's new ids follow those of the chunks before.
  std::size_t distinct = 0;
  for (const Chunk& c : *chunks) distinct += c.ids.size();
  batch.ids.reserve(distinct);
  std::vector<std::vector<std::uint32_t>> global(chunks->size());
  for (std::size_t k = 0; k < chunks->size(); ++k) {
    global[k].reserve((*chunks)[k].ids.size());
    for (const std::string_view name : (*chunks)[k].ids.names())
      global[k].push_back(batch.ids.intern(name));
  }
  global[0].clear();  // chunk 0's codes are final already
  const std::size_t rows = finish(
      *chunks, global, Columns{batch.customer.data(), batch.time.data(), batch.amount.data()});
  batch.customer.resize(rows);
  batch.time.resize(rows);
  batch.amount.resize(rows);
  return batch;
}

}  // namespace leadscore::detail

namespace leadscore {

namespace {

// What a fast TransactionView owns: the mapping and arrays left uninitialized
// until the parse writes them (each thread touches its own pages).
struct ViewStorage {
  explicit ViewStorage(const std::string& path) : file(path) {}
  detail::MappedFile file;
  std::unique_ptr<std::uint32_t[]> customer;
  std::unique_ptr<Timestamp[]> time;
  std::unique_ptr<double[]> amount;
};

}  // namespace

TransactionView read_transaction_view(const std::string& path, const CsvOptions& options,
                                      const TransactionColumns& columns, ProgressFn progress) {
  if (!columns.discount.empty())
    throw InvalidInput("read_transaction_view: no discount column is read");
  TransactionView view;
  auto storage = std::make_shared<ViewStorage>(path);
  auto chunks = detail::parse_file(storage->file, options, columns, [&](std::size_t capacity) {
    storage->customer = std::make_unique_for_overwrite<std::uint32_t[]>(capacity);
    storage->time = std::make_unique_for_overwrite<Timestamp[]>(capacity);
    storage->amount = std::make_unique_for_overwrite<double[]>(capacity);
    return detail::Columns{storage->customer.get(), storage->time.get(), storage->amount.get()};
  });
  if (!chunks) {
    // The general reader: every other layout, and the error with its place.
    auto batch = std::make_shared<TransactionBatch>(
        read_transactions(path, options, columns, std::move(progress)));
    view.ids_.assign(batch->ids.names().begin(), batch->ids.names().end());
    view.customer_ = batch->customer.data();
    view.time_ = batch->time.data();
    view.amount_ = batch->amount.data();
    view.size_ = batch->size();
    view.owner_ = std::move(batch);
    return view;
  }
  // Chunk 0's table becomes the file's: later chunks add their new ids.
  auto& c = *chunks;
  ViewIds ids = std::move(c[0].ids);
  std::vector<std::vector<std::uint32_t>> global(c.size());
  for (std::size_t k = 1; k < c.size(); ++k) {
    global[k].reserve(c[k].ids.size());
    for (const std::string_view name : c[k].ids.names()) global[k].push_back(ids.intern(name));
  }
  const detail::Columns out{storage->customer.get(), storage->time.get(), storage->amount.get()};
  view.size_ = detail::finish(c, global, out);
  view.ids_ = ids.names();
  view.customer_ = out.customer;
  view.time_ = out.time;
  view.amount_ = out.amount;
  view.owner_ = std::move(storage);
  if (progress) progress(1.0);
  return view;
}

namespace {

// Rows of a chunk into its customers' totals, the line's offset as row.
struct TotalsSink {
  segment::CustomerTotalsChunk& c;
  const char* file;
  bool add(std::string_view id, bool same, const char* line, Timestamp t, double amount) {
    return c.add(id, same, line - file, t, amount);
  }
};

}  // namespace

std::optional<segment::CustomerTotals> read_customer_totals(const std::string& path, const CsvOptions& options,
                                                            const TransactionColumns& columns, Timestamp end) {
  auto file = std::make_shared<detail::MappedFile>(path);
  auto planned = detail::plan(*file, options, columns, segment::CustomerTotalsChunk::first_share);
  if (!planned) return std::nullopt;
  const std::size_t n = planned->chunks.size();
  std::vector<segment::CustomerTotalsChunk> totals;
  totals.reserve(n);
  // A row has at least a delimiter per field but the last, and a line end.
  for (std::size_t k = 0; k < n; ++k) {
    const auto& c = planned->chunks[k];
    totals.emplace_back(end, k == 0 ? 0 : static_cast<std::size_t>(c.last - c.first) / planned->layout.fields + 1);
  }
  std::vector<std::uint8_t> ok(n, 0);
  detail::parallel_for(n, n, [&](std::size_t k) {
    TotalsSink sink{totals[k], file->data()};
    const auto& c = planned->chunks[k];
    ok[k] = detail::parse_rows(c.first, c.last, planned->layout, planned->format, sink);
  });
  if (std::find(ok.begin(), ok.end(), 0) != ok.end()) return std::nullopt;
  auto merged = segment::merge_totals(totals);
  if (!merged || merged->size() == 0) return std::nullopt;  // no rows: the general reader says so
  merged->owner = std::move(file);
  return merged;
}

}  // namespace leadscore
