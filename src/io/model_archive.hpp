#pragma once
// Private to src/: how every saved leadscore model is framed. A header line
// "leadscore-model <kind> <format version>" then a Boost text archive of the
// model's record; files are written to a temporary name and renamed, so a
// failed save never leaves a half-written model. Each engine's archive.cpp
// defines its records and uses these.

#include <bit>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/archive/text_iarchive.hpp>
#include <boost/archive/text_oarchive.hpp>

#include "leadscore/core/error.hpp"

namespace leadscore::archive_detail {

/// The version of the framing; each record also has its Boost class version.
// Doubles travel as bit patterns: text archives print NaN/inf in a way they
// cannot read back, and bits give an exact round trip.
inline std::uint64_t bit(double x) { return std::bit_cast<std::uint64_t>(x); }
inline double unbit(std::uint64_t x) { return std::bit_cast<double>(x); }
inline std::vector<std::uint64_t> bits(std::span<const double> v) {
  std::vector<std::uint64_t> out;
  out.reserve(v.size());
  for (double x : v) out.push_back(bit(x));
  return out;
}
inline std::vector<std::uint64_t> bits(std::initializer_list<double> v) {
  return bits(std::span<const double>(v.begin(), v.size()));
}
inline std::vector<double> unbits(const std::vector<std::uint64_t>& v) {
  std::vector<double> out;
  out.reserve(v.size());
  for (auto x : v) out.push_back(unbit(x));
  return out;
}

inline constexpr int kFormatVersion = 1;

template <class Record>
std::string encode(std::string_view kind, const Record& rec) {
  std::ostringstream os;
  os << "leadscore-model " << kind << ' ' << kFormatVersion << '\n';
  {
    boost::archive::text_oarchive oa(os);
    oa << rec;
  }
  return os.str();
}

template <class Record>
Record decode(std::string_view kind, std::string_view bytes) {
  std::istringstream is{std::string(bytes)};
  std::string magic, got;
  int version = 0;
  if (!(is >> magic >> got >> version) || magic != "leadscore-model")
    throw SerializationError("load: not a leadscore model file");
  if (got != kind)
    throw SerializationError("load: file holds a '" + got + "' model, expected '" + std::string(kind) + "'");
  if (version < 1 || version > kFormatVersion)
    throw SerializationError("load: unsupported format version " + std::to_string(version));
  Record rec;
  try {
    boost::archive::text_iarchive ia(is);
    ia >> rec;
  } catch (const std::exception& e) {  // boost::archive::archive_exception derives from it
    throw SerializationError(std::string("load: damaged archive: ") + e.what());
  }
  return rec;
}

inline void write_file(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw SerializationError("save: cannot open " + tmp + " for writing");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      out.close();
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw SerializationError("save: write to " + tmp + " failed");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw SerializationError("save: cannot rename to " + path);
  }
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SerializationError("load: cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace leadscore::archive_detail
