# procscreen — the two commands a new user needs: `make demo` and `make test`.
SHELL := /bin/bash
DEBIAN_PACKAGES := libsqlite3-dev libpcre2-dev pkg-config
DB ?= procscreen.db
SWIFT ?= swift

.PHONY: demo test bench bench-suite deps build release sample clean

## Install the Debian packages procscreen links against, when missing.
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get install -y $$missing || { $$SUDO apt-get update && $$SUDO apt-get install -y $$missing; }; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## The main job on the embedded SampleData: ingest into ./procscreen.db, screen, summarise.
demo: build
	@rm -f $(DB) $(DB)-wal $(DB)-shm
	.build/debug/procscreen ingest SampleData --db $(DB)
	.build/debug/procscreen screen --db $(DB)
	@mkdir -p reports
	.build/debug/procscreen report --db $(DB) --format html --lang th -o reports/flagged.th.html
	.build/debug/procscreen report --db $(DB) --format xlsx -o reports/flagged.xlsx
	@echo
	@echo "store: $(abspath $(DB))   report: $(abspath reports/flagged.th.html) (open it in a browser), $(abspath reports/flagged.xlsx)"
	@echo "next: .build/debug/procscreen show <project_id or firm_id> --db $(DB) --lang th"

## The test suite (Swift Testing).
test: deps
	$(SWIFT) test --disable-xctest

## Benchmarks (release build): ingest throughput on a generated market.
bench: release
	.build/release/procscreen-bench $(BENCH_ARGS)

## The whole pipeline at 100 k and 1 M projects (add BENCH_ARGS=--with-5m for 5 M); appends to BENCHMARKS.md.
bench-suite: release
	.build/release/procscreen-bench suite $(BENCH_ARGS)

## Regenerate the committed sample bundle.
sample: build
	$(SWIFT) run procscreen generate --projects 3000 --seed 2568 -o SampleData

clean:
	rm -rf .build $(DB) $(DB)-wal $(DB)-shm
