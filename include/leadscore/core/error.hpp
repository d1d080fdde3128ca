#pragma once
// The one exception hierarchy of leadscore. Every error says where the bad
// input is, so a CRM operator can fix the row, not guess at it.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

namespace leadscore {

/// Base of every exception leadscore throws.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// A caller passed data or options that cannot be used (wrong size, NaN,
/// negative amount, unknown option value, ...). The message names the
/// function and, where there is one, the customer id or row.
class InvalidInput : public Error {
 public:
  using Error::Error;
};

/// A file could not be read or parsed. Carries the file and the 1-based line
/// and column of the problem (0 where not applicable).
class ParseError : public Error {
 public:
  ParseError(std::string file, std::size_t line, std::size_t column, const std::string& what)
      : Error(format(file, line, column, what)),
        file_(std::move(file)),
        line_(line),
        column_(column) {}

  const std::string& file() const noexcept { return file_; }
  std::size_t line() const noexcept { return line_; }
  std::size_t column() const noexcept { return column_; }

 private:
  static std::string format(const std::string& file, std::size_t line, std::size_t column,
                            const std::string& what) {
    std::string where = file;
    if (line > 0) where += ":" + std::to_string(line);
    if (column > 0) where += ":" + std::to_string(column);
    return where + ": " + what;
  }

  std::string file_;
  std::size_t line_;
  std::size_t column_;
};

/// A JSON document is valid JSON but not a valid leadscore document; carries
/// the JSON path (for example "/rules/3/points") of the problem.
class JsonError : public Error {
 public:
  JsonError(std::string path, const std::string& what)
      : Error(path + ": " + what), path_(std::move(path)) {}
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

/// An iterative fit stopped without meeting its convergence criterion.
class NotConverged : public Error {
 public:
  using Error::Error;
};

/// A saved model could not be written or read back.
class SerializationError : public Error {
 public:
  using Error::Error;
};

}  // namespace leadscore
