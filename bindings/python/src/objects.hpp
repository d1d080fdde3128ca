#pragma once
// numpy object arrays of Python str read from C++ with the GIL held: the
// buffer of the array, and dense codes of its strings (pd.factorize's codes,
// without Python-level hashing).

#include <Python.h>
#include <nanobind/nanobind.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leadscore/core/error.hpp"
#include "leadscore/io/view_ids.hpp"

namespace leadscore::python {

namespace nb = nanobind;

// The elements of a C-contiguous 1-D numpy object array, its buffer held
// for this object's life; ok() is false for anything else.
class ObjectArray {
 public:
  enum Access { read_only = 0, writable = PyBUF_WRITABLE };
  explicit ObjectArray(nb::handle array, Access access = read_only) {
    if (PyObject_GetBuffer(array.ptr(), &buf_, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS | access) != 0) {
      PyErr_Clear();
      return;
    }
    held_ = true;
    ok_ = buf_.ndim == 1 && buf_.itemsize == static_cast<Py_ssize_t>(sizeof(PyObject*)) && buf_.format &&
          std::string_view(buf_.format) == "O";
  }
  ObjectArray(const ObjectArray&) = delete;
  ObjectArray& operator=(const ObjectArray&) = delete;
  ~ObjectArray() {
    if (held_) PyBuffer_Release(&buf_);
  }

  bool ok() const noexcept { return ok_; }
  PyObject* const* data() const noexcept { return static_cast<PyObject* const*>(buf_.buf); }
  PyObject** data() noexcept { return static_cast<PyObject**>(buf_.buf); }
  std::size_t size() const noexcept { return static_cast<std::size_t>(buf_.len / buf_.itemsize); }

 private:
  Py_buffer buf_{};
  bool held_ = false, ok_ = false;
};

// The characters of a compact-ASCII str object, viewed in place (no API
// call, no reference count: safe to read on any thread while the caller
// holds the GIL); nullopt for any other object.
inline std::optional<std::string_view> ascii_text(PyObject* o) noexcept {
  if (!PyUnicode_Check(o) || !PyUnicode_IS_COMPACT_ASCII(o)) return std::nullopt;
  return std::string_view(static_cast<const char*>(PyUnicode_DATA(o)), static_cast<std::size_t>(PyUnicode_GET_LENGTH(o)));
}

// What a missing value (None or a float NaN) is to object_codes.
enum class MissingIds {
  refused,        // an InvalidInput naming its row
  coded,          // code -1
  coded_or_empty  // code -1, and so is ""
};

// Dense codes of the str in `array`, in order of first appearance (as
// pd.factorize gives them); first_row[c] is the row where code c first
// appears. A row with the same object or text as the row before costs a
// compare. nullopt when a value is of another type (the caller falls back
// to pd.factorize); InvalidInput, named by `what`, for a str that has no
// UTF-8 form (a lone surrogate) and for a missing value when refused.
struct ObjectCodes {
  std::vector<std::int64_t> code;
  std::vector<std::int64_t> first_row;
};

inline std::optional<ObjectCodes> object_codes(const ObjectArray& array, std::string_view what, MissingIds missing) {
  PyObject* const* obj = array.data();
  const std::size_t n = array.size();
  ObjectCodes out;
  out.code.resize(n);
  ViewIds table;
  const PyObject* previous = nullptr;
  std::string_view previous_text;
  std::int64_t previous_code = -2;  // none yet
  for (std::size_t i = 0; i < n; ++i) {
    PyObject* o = obj[i];
    if (o == previous) {
      out.code[i] = previous_code;
      continue;
    }
    std::string_view text;
    bool absent = false;
    if (!PyUnicode_Check(o)) {
      if (o != Py_None && !(PyFloat_Check(o) && std::isnan(PyFloat_AS_DOUBLE(o)))) return std::nullopt;
      absent = true;
    } else if (const auto ascii = ascii_text(o)) {
      text = *ascii;
    } else {
      Py_ssize_t size = 0;
      const char* utf8 = PyUnicode_AsUTF8AndSize(o, &size);
      if (!utf8) {
        PyErr_Clear();
        throw InvalidInput(std::string(what) + ": the value at row " + std::to_string(i) + " is not valid UTF-8");
      }
      text = {utf8, static_cast<std::size_t>(size)};
    }
    absent = absent || (missing == MissingIds::coded_or_empty && text.empty());
    if (absent && missing == MissingIds::refused)
      throw InvalidInput(std::string(what) + " has a missing value at row " + std::to_string(i));
    std::int64_t c = -1;
    if (!absent) {
      c = previous_code;
      if (previous_code < 0 || text != previous_text) {
        const std::size_t before = table.size();
        c = table.intern(text);
        if (static_cast<std::size_t>(c) == before) out.first_row.push_back(static_cast<std::int64_t>(i));
      }
    }
    out.code[i] = c;
    previous = o, previous_text = text, previous_code = c;
  }
  return out;
}

}  // namespace leadscore::python
