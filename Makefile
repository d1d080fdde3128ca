# leadscore: the two commands of the README, and the ones they are made of.
#   make demo   install what is missing, build, run the demo
#   make test   install what is missing, build, run every C++ and Python test
#               (release build, then an ASan+UBSan build)
#   make bench  full-size benchmarks and the side-by-side comparisons

BUILD      ?= build
ASAN_BUILD ?= build-asan
PYTHON     ?= python3
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
# CI sets CI=true: warnings are errors there.
WERROR     := $(if $(CI),ON,OFF)

PYTHON_EXE  = $(shell $(PYTHON) -c 'import sys; print(sys.executable)')
PYTEST      = PYTHONPATH=$(CURDIR)/$(BUILD)/python LEADSCORE_BUILD_DIR=$(CURDIR)/$(BUILD) \
              $(PYTHON) -m pytest -q -p no:cacheprovider

.PHONY: all deps bench-deps configure build demo test test-cpp test-python test-asan bench bench-smoke clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DLEADSCORE_BUILD_PYTHON=ON \
	  -DPython_EXECUTABLE=$(PYTHON_EXE) -DLEADSCORE_WERROR=$(WERROR)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/bin/leadscore demo

test: build
	$(MAKE) --no-print-directory test-cpp test-python test-asan

test-cpp:
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-python:
	$(PYTEST) tests/python

# The same C++ tests, and the CLI tests against the sanitized binary.
# -Og -g1 without NDEBUG: a checking build (Eigen's bounds assertions on) that
# compiles in about 40% of the time of -O2 -g, which CI's two cores feel.
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-Og -g1" \
	  -DLEADSCORE_SANITIZE=ON \
	  -DLEADSCORE_BUILD_PYTHON=OFF -DLEADSCORE_BUILD_BENCHMARKS=OFF -DLEADSCORE_INSTALL=OFF \
	  -DLEADSCORE_WERROR=$(WERROR)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)
	LEADSCORE_CLI=$(CURDIR)/$(ASAN_BUILD)/bin/leadscore $(PYTEST) tests/python/test_cli.py

bench-deps:
	@scripts/install-deps.sh --bench

# A few seconds in all: proves every benchmark still builds and runs.
bench-smoke: build bench-deps
	$(BUILD)/bin/bm_summary --benchmark_filter='/100000/' --benchmark_min_time=0.01
	$(BUILD)/bin/bm_churn --benchmark_filter='Cdnow|Donations|/10000/' --benchmark_min_time=0.01
	$(PYTHON) benchmarks/compare/summarize_vs_pandas.py --rows 100000 --customers 10000 --repeat 1
	$(PYTHON) benchmarks/compare/churn_vs_lifetimes.py --customers 10000 --repeat 1
	$(BUILD)/bin/bm_rules --benchmark_filter='Incremental|Bulk/100000/' --benchmark_min_time=0.01
	$(PYTHON) benchmarks/compare/rules_vs_pandas.py --copies 1 --repeat 1
	$(BUILD)/bin/bm_predictive --benchmark_filter='/100000/|Leads' --benchmark_min_time=0.01
	$(PYTHON) benchmarks/compare/logistic_vs_sklearn.py --rows 20000 --repeat 1
	$(BUILD)/bin/bm_segment --benchmark_filter='/100000/' --benchmark_min_time=0.01
	$(PYTHON) benchmarks/compare/rfm_vs_pandas.py --rows 100000 --customers 10000 --repeat 1
	$(PYTHON) benchmarks/compare/rfm_vs_pandas.py --rows 100000 --customers 10000 --repeat 1 --shuffle
	$(PYTHON) benchmarks/compare/kmeans_vs_sklearn.py --rows 20000 --repeat 1

bench: build bench-deps
	$(BUILD)/bin/bm_summary --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
	$(BUILD)/bin/bm_churn --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
	$(PYTHON) benchmarks/compare/summarize_vs_pandas.py --rows 10000000 --customers 1000000 --repeat 3
	$(PYTHON) benchmarks/compare/churn_vs_lifetimes.py --customers 1000000 --repeat 5
	$(BUILD)/bin/bm_rules --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
	$(PYTHON) benchmarks/compare/rules_vs_pandas.py --copies 20 --repeat 5
	$(BUILD)/bin/bm_predictive --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
	$(PYTHON) benchmarks/compare/logistic_vs_sklearn.py --rows 1000000 --repeat 3
	$(BUILD)/bin/bm_segment --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
	$(PYTHON) benchmarks/compare/rfm_vs_pandas.py --rows 10000000 --customers 1000000 --repeat 3
	$(PYTHON) benchmarks/compare/rfm_vs_pandas.py --rows 10000000 --customers 1000000 --repeat 3 --shuffle
	$(PYTHON) benchmarks/compare/kmeans_vs_sklearn.py --rows 1000000 --repeat 3

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
