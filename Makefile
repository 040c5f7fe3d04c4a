# rexian — build, test and benchmark targets. `make test` and `make run`
# install missing Debian packages first (as root, or through sudo).

CC       ?= gcc
CXX      ?= g++
BUILD    ?= build
OPT      ?= -O2 -g
SAN      ?=

PKGS     := xapian-core icu-uc icu-i18n libcjson libsodium yaml-0.1 libcmark friso sqlite3 libmicrohttpd zlib \
            libzip libxml-2.0 poppler-glib
WARN     := -Wall -Wextra -Wpedantic -Werror -Wshadow -Wformat=2 -Wimplicit-fallthrough -Wvla
CWARN    := $(WARN) -Wstrict-prototypes -Wmissing-prototypes $(if $(findstring clang,$(CC)),,-Wno-format-truncation)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null | sed 's/-I/-isystem /g')
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lpthread
CPPFLAGS := -Iinclude -I$(BUILD)/gen -D_GNU_SOURCE
CFLAGS   := -std=c17 $(OPT) $(CWARN) $(SAN)
CXXFLAGS := -std=c++17 $(OPT) $(WARN) $(SAN)
LDFLAGS  := $(SAN)

# Debian packages needed to build, test and benchmark.
DEB_BUILD := build-essential pkg-config libxapian-dev xapian-tools libsqlite3-dev sqlite3 \
             libmicrohttpd-dev libcjson-dev libicu-dev libyaml-dev libcsv-dev libcmark-dev \
             libsodium-dev libfriso-dev friso-dict libcmocka-dev zlib1g-dev curl bc util-linux \
             libzip-dev libxml2-dev libpoppler-glib-dev

# Test only: the browser tests (Debian's chromium, driven by playwright-core
# from npm, installed into tests/browser/node_modules, git-ignored). Node
# and npm come from Debian only when there are none (a NodeSource nodejs
# carries its own npm, which Debian's npm package would conflict with).
# A CJK font, or the screenshots show boxes for every Chinese character.
# LibreOffice (headless, without its GUI) and poppler's tools make the
# import tests' DOCX and PDF files from their Markdown sources at test time.
# `make test` also checks the formatting and runs the linters.
DEB_TEST := chromium fonts-wqy-microhei libreoffice-writer-nogui poppler-utils \
            clang-format clang-tidy cppcheck

LIB_C   := $(wildcard src/util/*.c src/text/*.c src/corpus/*.c src/search/*.c src/store/*.c src/auth/*.c src/tickets/*.c src/assist/*.c src/import/*.c src/stats/*.c src/http/*.c indexer/*.c)
LIB_CXX := $(wildcard src/search/*.cc)
LIB_OBJ := $(LIB_C:%.c=$(BUILD)/%.o) $(LIB_CXX:%.cc=$(BUILD)/%.o)
LIB     := $(BUILD)/librexian.a
BIN     := $(BUILD)/rexian
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOLS   := $(BUILD)/tools/eval $(BUILD)/tools/assist_eval $(BUILD)/tools/bench_search $(BUILD)/tools/gencorpus

# Installs the missing Debian packages of the list $(1) (as root, or with sudo).
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	  grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef

.PHONY: bench-tickets
.PHONY: eval-assist
.PHONY: browser-deps import-fixtures
.PHONY: rerank-study eval-scale analysis-shots all deps bench-deps valgrind fuzz fuzz-deps fuzz-build fuzz-smoke test unit e2e asan eval calibrate bench bench-search run lint format format-check clean

all: $(BIN)

deps:
	$(call apt_install,$(DEB_BUILD))

browser-deps:
	$(call apt_install,$(DEB_TEST) $$(command -v node >/dev/null || echo nodejs) \
	  $$(command -v npm >/dev/null || echo npm))
	@[ -f tests/browser/node_modules/playwright-core/package.json ] || \
	  (cd tests/browser && npm ci --no-audit --no-fund)

$(BUILD)/gen/pinyin_table.h: tools/gen_pinyin.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -O1 $(CPPFLAGS) $< -o $(BUILD)/gen/gen_pinyin $$(pkg-config --cflags --libs icu-uc icu-i18n)
	$(BUILD)/gen/gen_pinyin > $@.tmp && mv $@.tmp $@

$(BUILD)/src/text/pinyin.o: $(BUILD)/gen/pinyin_table.h

$(BUILD)/gen/t2s_table.h: tools/gen_t2s.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -O1 $(CPPFLAGS) $< -o $(BUILD)/gen/gen_t2s $$(pkg-config --cflags --libs icu-uc icu-i18n)
	$(BUILD)/gen/gen_t2s > $@.tmp && mv $@.tmp $@

$(BUILD)/src/text/normalize.o: $(BUILD)/gen/t2s_table.h

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(PKG_CFLAGS) $(CXXFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/src/cli/main.o $(BUILD)/src/cli/demo.o $(BUILD)/src/cli/demo_matters.o $(LIB)
	$(CXX) $(LDFLAGS) $^ $(PKG_LIBS) -o $@

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $^ $(PKG_LIBS) $$(pkg-config --libs cmocka) -o $@

$(BUILD)/tools/%: $(BUILD)/tests/tools/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $^ $(PKG_LIBS) -o $@

$(BUILD)/tools/gencorpus: tests/bench/gencorpus.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -O2 $(CWARN) $(SAN) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $< -o $@

$(BUILD)/tools/eval: $(BUILD)/tests/eval/eval.o $(BUILD)/tests/common/peers.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $^ $(PKG_LIBS) -o $@

$(BUILD)/tools/assist_eval: $(BUILD)/tests/eval/assist_eval.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $^ $(PKG_LIBS) -o $@

$(BUILD)/tools/bench_search: $(BUILD)/tests/bench/bench_search.o $(BUILD)/tests/common/peers.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $^ $(PKG_LIBS) -o $@

# ---- tests ----

# The import tests' DOCX, PDF and web pages, made from tests/fixtures/import
# by LibreOffice at test time (a few seconds; redone when a source changes).
IMPORT_FIXTURES := $(BUILD)/fixtures/import
import-fixtures: $(BUILD)/tools/md2html
	bash tests/import/fixtures.sh $(IMPORT_FIXTURES) $(BUILD)/tools/md2html

unit: $(UNIT_BIN) import-fixtures
	@for t in $(UNIT_BIN); do echo "== $$t"; RX_IMPORT_FIXTURES=$(IMPORT_FIXTURES) $$t || exit 1; done

e2e: $(BIN) import-fixtures
	@for t in tests/e2e/*.sh; do echo "== $$t"; REXIAN=$(BIN) RX_IMPORT_FIXTURES=$(IMPORT_FIXTURES) bash $$t || exit 1; done

test: deps browser-deps
	bash tools/check_layers.sh
	$(MAKE) format-check lint
	$(MAKE) all $(UNIT_BIN)
	$(MAKE) unit e2e
	$(MAKE) fuzz-smoke

asan: deps browser-deps
	$(MAKE) BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	  build/asan/rexian unit e2e

# Every end-to-end script with the binary under valgrind memcheck: a
# non-sanitized -O1 -g build in build/vg, run through the wrapper
# build/vg/rexian-vg (tests/valgrind.supp holds the libraries' own leaks),
# one log per process in build/vg/logs/SCRIPT/. RX_TEST_SLOW stretches the
# scripts' waits. Fails if a script fails or a log counts an error (definite
# and indirect leaks count). About 15 minutes. VG_E2E=tests/e2e/X.sh runs one.
# Left out: the kill tests, since SIGKILL leaves no valgrind report and their
# timing is what they test; test_index_kill.sh runs with KILLS=0 (its builds
# and searches without the kills), test_tickets_kill.sh not at all (it fails
# without its 20 kills; its create/action load runs in test_tickets.sh).
VG_SKIP := tests/e2e/test_index_kill.sh tests/e2e/test_tickets_kill.sh tests/e2e/test_console_browser.sh
VG_KILLS0 := tests/e2e/test_index_kill.sh
VG_SLOW ?= 20
VG_E2E ?= $(filter-out $(VG_SKIP),$(wildcard tests/e2e/*.sh)) $(VG_KILLS0:%=KILLS=0:%)
define VG_WRAPPER
#!/bin/sh
# rexian under valgrind memcheck (written by `make valgrind`); logs go to
# $$RX_VG_LOGS (build/vg/logs), one file per process.
ROOT=$$(cd "$$(dirname "$$0")/../.." && pwd)
LOGS=$${RX_VG_LOGS:-$$ROOT/build/vg/logs}
mkdir -p "$$LOGS" 2>/dev/null && chmod 1777 "$$LOGS" 2>/dev/null # runs as nobody too
exec valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
  --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
  --track-origins=no --num-callers=30 --log-file="$$LOGS/%p.log" \
  --suppressions="$$ROOT/tests/valgrind.supp" "$$ROOT/build/vg/rexian" "$$@"
endef
export VG_WRAPPER

valgrind: deps
	$(call apt_install,valgrind)
	$(MAKE) BUILD=build/vg OPT="-O1 -g" build/vg/rexian
	@printf '%s\n' "$$VG_WRAPPER" >build/vg/rexian-vg && chmod +x build/vg/rexian-vg
	@rm -rf build/vg/logs && mkdir -p -m 755 build/vg/logs; fail=; \
	for t in $(VG_E2E); do \
	  case $$t in KILLS=0:*) t=$${t#KILLS=0:}; k=0;; *) k=;; esac; \
	  n=$$(basename $$t .sh); s=$$(date +%s); echo "== $$t (valgrind$${k:+, KILLS=$$k})"; \
	  env $${k:+KILLS=$$k} RX_TEST_SLOW=$(VG_SLOW) RX_VG_LOGS=$(CURDIR)/build/vg/logs/$$n \
	    REXIAN=build/vg/rexian-vg bash $$t || fail="$$fail $$n"; \
	  bash tests/valgrind_report.sh build/vg/logs/$$n "$$(( $$(date +%s) - s )) s"; \
	done; \
	bash tests/valgrind_report.sh --errors build/vg/logs || fail="$$fail (valgrind errors)"; \
	[ -z "$$fail" ] || { echo "valgrind: failed:$$fail"; exit 1; }

# ---- fuzzing (libFuzzer; FUZZ_SECONDS per target) ----
#
# A target tests/fuzz/fuzz_NAME.c starts from the shipped files it parses
# (copied to build/fuzz/seeds/DIR/, where the fuzzer also keeps the inputs
# it finds) and from tests/fuzz/seeds/NAME/. Inputs that once broke a
# target stay in tests/fuzz/regressions/NAME/; fuzz-smoke replays them.

FUZZ_SECONDS ?= 30
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
DEB_FUZZ := clang libclang-rt-14-dev

# build/fuzz/seeds/DIR of a target (NAME unless given) and its shipped seeds
FUZZ_DIR_fuzz_markdown := md
FUZZ_DIR_fuzz_faq := csv
FUZZ_DIR_fuzz_lists := txt
FUZZ_DIR_fuzz_query := txt
FUZZ_SHIPPED_fuzz_markdown := corpus/zhujian/*.md
FUZZ_SHIPPED_fuzz_faq := corpus/faq/*.csv
FUZZ_SHIPPED_fuzz_lists := corpus/*.txt
FUZZ_SHIPPED_fuzz_query := corpus/*.txt
FUZZ_SHIPPED_fuzz_rules := etc/workflow.conf
FUZZ_SHIPPED_fuzz_import := $(wildcard build/fixtures/import/*.docx build/fixtures/import/*.html)
fuzz_name = $(1:fuzz_%=%)
fuzz_dir = build/fuzz/seeds/$(or $(FUZZ_DIR_$(1)),$(call fuzz_name,$(1)))
fuzz_own_seeds = $(wildcard tests/fuzz/seeds/$(call fuzz_name,$(1)))
fuzz_regressions = $(wildcard tests/fuzz/regressions/$(call fuzz_name,$(1)))
FUZZ_FLAGS = -print_final_stats=1 -artifact_prefix=build/fuzz/findings/$(1)-

fuzz-deps:
	$(call apt_install,$(DEB_FUZZ))

fuzz-build:
	$(MAKE) BUILD=build/fuzz CC=clang CXX=clang++ OPT="-O1 -g" \
	  SAN="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all" \
	  $(FUZZ_TARGETS:%=build/fuzz/bin/%)

# Runs target $(1) for FUZZ_SECONDS from its seeds; findings are written to
# build/fuzz/findings/TARGET-*.
define fuzz_run
	@mkdir -p build/fuzz/findings $(call fuzz_dir,$(1))
	$(if $(FUZZ_SHIPPED_$(1)),@cp $(FUZZ_SHIPPED_$(1)) $(call fuzz_dir,$(1))/)
	build/fuzz/bin/$(1) -max_total_time=$(FUZZ_SECONDS) $(call FUZZ_FLAGS,$(1)) \
	  $(call fuzz_dir,$(1)) $(call fuzz_own_seeds,$(1))

endef

fuzz: deps fuzz-deps fuzz-build
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_run,$(t)))

# Every target replays its shipped seeds, tests/fuzz/seeds/NAME/ and
# tests/fuzz/regressions/NAME/ (a crash fails), then fuzzes for
# FUZZ_SMOKE_SECONDS from them in a scratch folder: about a minute in all.
define fuzz_smoke_run
	@rm -rf build/fuzz/smoke/$(1) && mkdir -p build/fuzz/findings build/fuzz/smoke/$(1)
	$(if $(FUZZ_SHIPPED_$(1)),@cp $(FUZZ_SHIPPED_$(1)) build/fuzz/smoke/$(1)/)
	@echo "== $(1): $(FUZZ_SMOKE_SECONDS) s (log: build/fuzz/smoke/$(1).log)"
	@build/fuzz/bin/$(1) -max_total_time=$(FUZZ_SMOKE_SECONDS) $(call FUZZ_FLAGS,$(1)) \
	  build/fuzz/smoke/$(1) $(call fuzz_own_seeds,$(1)) $(call fuzz_regressions,$(1)) \
	  >build/fuzz/smoke/$(1).log 2>&1 && \
	  grep -E '^(INFO: seed corpus|stat::(number_of_executed_units|new_units_added))' \
	    build/fuzz/smoke/$(1).log || { tail -n 60 build/fuzz/smoke/$(1).log; exit 1; }

endef

fuzz-smoke: fuzz-deps fuzz-build
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_smoke_run,$(t)))

build/fuzz/bin/%: build/fuzz/tests/fuzz/%.o build/fuzz/librexian.a
	@mkdir -p $(dir $@)
	$(CXX) -fsanitize=address,undefined,fuzzer $^ $(PKG_LIBS) -o $@

# ---- relevance and speed ----

# cold2's documents beside a fresh copy of the shipped corpus
COLD2_CORPUS = rm -rf $(BUILD)/eval-cold2/corpus && mkdir -p $(BUILD)/eval-cold2 && \
  cp -r corpus $(BUILD)/eval-cold2/corpus && cp -r tests/relevance/cold2/corpus $(BUILD)/eval-cold2/corpus/cold2

eval: deps $(BIN) $(BUILD)/tools/eval
	$(BUILD)/tools/eval --corpus corpus --queries tests/relevance/queries.tsv --work $(BUILD)/eval
	@echo; echo "== the blind set (written independently, never tuned on)"
	$(BUILD)/tools/eval --corpus corpus --queries tests/relevance/blind.tsv --work $(BUILD)/eval-blind
	@echo; echo "== the cold set (frozen; topics the shipped corpus lacks, written without seeing code, lists or queries)"
	@rm -rf $(BUILD)/eval-cold/corpus && mkdir -p $(BUILD)/eval-cold && cp -r corpus $(BUILD)/eval-cold/corpus && \
	  cp -r tests/relevance/cold/corpus $(BUILD)/eval-cold/corpus/cold
	$(BUILD)/tools/eval --corpus $(BUILD)/eval-cold/corpus --queries tests/relevance/cold/queries.tsv \
	  --ooc tests/relevance/cold/ooc.tsv --work $(BUILD)/eval-cold
	@echo; echo "== the judged and blind short and synonym queries as typed in pinyin with the IME off"
	$(BUILD)/tools/eval --corpus corpus --queries tests/relevance/pinyin.tsv --work $(BUILD)/eval-pinyin
	@echo; echo "== the development set's spoken questions (pooled judgments) and its unanswerable ones"
	$(BUILD)/tools/eval --corpus corpus --queries tests/relevance/dev/in-pooled.tsv \
	  --ooc tests/relevance/dev/ooc.tsv --work $(BUILD)/eval-dev --only ranking
	@echo; echo "== the second cold set (a development set: written like the cold set by another author; chosen on, lists never grown from it)"
	@$(COLD2_CORPUS)
	$(BUILD)/tools/eval --corpus $(BUILD)/eval-cold2/corpus --queries tests/relevance/cold2/queries.tsv \
	  --ooc tests/relevance/cold2/ooc.tsv --work $(BUILD)/eval-cold2
	@echo; echo "== the development sets' long questions with one lexicon term misheard (tests/relevance/misheard.py)"
	@mkdir -p $(BUILD)/eval-misheard
	python3 tests/relevance/misheard.py $(BUILD)/gen/pinyin_table.h corpus $(BUILD)/eval-misheard/queries.tsv \
	  tests/relevance/queries.tsv tests/relevance/blind.tsv tests/relevance/dev/in.tsv
	$(BUILD)/tools/eval --corpus corpus --queries $(BUILD)/eval-misheard/queries.tsv --work $(BUILD)/eval-misheard --only default

# The cold set at scale: its documents and the shipped corpus among the
# 100,000 synthetic documents of the benchmark (tests/bench/gencorpus.c, seed
# 42) as distractors, so that the ranking variants that only bind in a large
# index (the character terms' posting bound) are measured where they bind.
# About 3 minutes (the index is kept: EVAL_SCALE_REUSE=1 skips the rebuild).
ES := $(BUILD)/eval-scale
eval-scale: deps $(BIN) $(BUILD)/tools/eval $(BUILD)/tools/gencorpus
	@if [ -z "$(EVAL_SCALE_REUSE)" ] || [ ! -d $(ES)/corpus ]; then \
	  rm -rf $(ES) && mkdir -p $(ES) && cp -r corpus $(ES)/corpus && \
	  cp -r tests/relevance/cold/corpus $(ES)/corpus/cold && \
	  $(BUILD)/tools/gencorpus --from corpus --out $(ES)/syn --docs 100000 --seed 42 && \
	  mkdir $(ES)/corpus/syn && mv $(ES)/syn/d* $(ES)/syn/faq $(ES)/corpus/syn/ && rm -rf $(ES)/syn; fi
	$(BUILD)/tools/eval --corpus $(ES)/corpus --queries tests/relevance/cold/queries.tsv \
	  --ooc tests/relevance/cold/ooc.tsv --work $(ES)/w --only ranking $(if $(EVAL_SCALE_REUSE),--reuse)

# Refits the confidence model (src/search/kb.c, CONF_W) on the development set
# and the judged queries; prints the coefficients and each threshold's effect.
calibrate: deps $(BIN) $(BUILD)/tools/eval
	cat tests/relevance/queries.tsv tests/relevance/blind.tsv tests/relevance/dev/in-pooled.tsv >$(BUILD)/calibrate.tsv
	RX_FEATURES=110100000 $(BUILD)/tools/eval --corpus corpus --queries $(BUILD)/calibrate.tsv \
	  --ooc tests/relevance/dev/ooc.tsv --work $(BUILD)/calibrate --only default --calibrate

# The re-ranking study (docs/RELEVANCE.md, "FAQ rows answer one question"):
# the shipped ranking's best 20 of every query of the five development sets
# with their features, and a re-scoring fitted on them with each set held
# out in turn (tests/relevance/rerank_fit.py). Never run on the cold set.
RS := $(BUILD)/rerank-study
rerank-study: deps $(BIN) $(BUILD)/tools/eval
	@mkdir -p $(RS)
	@$(COLD2_CORPUS)
	$(BUILD)/tools/eval --corpus corpus --queries tests/relevance/queries.tsv --work $(RS)/w --only default --features $(RS)/judged.tsv >/dev/null
	$(BUILD)/tools/eval --corpus corpus --queries tests/relevance/blind.tsv --work $(RS)/w --only default --features $(RS)/blind.tsv >/dev/null
	$(BUILD)/tools/eval --corpus corpus --queries tests/relevance/pinyin.tsv --work $(RS)/w --only default --features $(RS)/pinyin.tsv >/dev/null
	$(BUILD)/tools/eval --corpus corpus --queries tests/relevance/dev/in-pooled.tsv --work $(RS)/w --only default --features $(RS)/dev.tsv >/dev/null
	$(BUILD)/tools/eval --corpus $(BUILD)/eval-cold2/corpus --queries tests/relevance/cold2/queries.tsv --work $(RS)/w --only default --features $(RS)/cold2.tsv >/dev/null
	python3 tests/relevance/rerank_fit.py judged=$(RS)/judged.tsv blind=$(RS)/blind.tsv \
	  pinyin=$(RS)/pinyin.tsv dev=$(RS)/dev.tsv cold2=$(RS)/cold2.tsv

# Agent assist (docs/ASSIST.md): on the dev, held-out, second dev and second
# held-out tickets, each method and the shipped mix with demo years of 0, 1k,
# 5k, 20k and 100k tickets (the learning curve), the search baseline, and
# learned terms (resolve with one half of a query set, search with the
# other). About 6 minutes (the first time; 5 once the demo years exist); the demo databases are kept in $(BUILD)/eval-assist.
# The demo years end on EA_UNTIL, so that the figures are the same on any
# day (a year that ends today moves its seasons, and with them the draw);
# at the end, the shipped mix over five demo years (seeds 1-5) of 20,000.
EA := $(BUILD)/eval-assist
EA_UNTIL := 2026-11-30
eval-assist: deps $(BIN) $(BUILD)/tools/assist_eval
	@mkdir -p $(EA)
	$(BIN) index --quiet corpus $(EA)/index
	@for n in 1000 5000 20000 100000; do [ -f $(EA)/demo-$$n-$(EA_UNTIL).db ] || \
	  $(BIN) demo --quiet --db $(EA)/demo-$$n-$(EA_UNTIL).db --count $$n --until $(EA_UNTIL) \
	    --index $(EA)/index; done
	@for set in dev heldout dev2 heldout2 dev3 heldout3 dev4 heldout4; do \
	  echo "== $$set: the search baseline (departments of the hits in order)"; \
	  $(BUILD)/tools/assist_eval --index $(EA)/index --heldout tests/assist/$$set.tsv --method search | grep top-1; \
	  for m in nb knn duty hits nbduty all; do echo "== $$set: method $$m, 20k demo tickets"; \
	    $(BUILD)/tools/assist_eval --index $(EA)/index --db $(EA)/demo-20000-$(EA_UNTIL).db --heldout tests/assist/$$set.tsv --method $$m | grep top-1; done; \
	  for n in 0 1000 5000 20000 100000; do echo "== $$set: shipped, $$n demo tickets"; \
	    db=; [ $$n -gt 0 ] && db="--db $(EA)/demo-$$n-$(EA_UNTIL).db"; \
	    docs=; [ -f tests/assist/$${set}_docs.tsv ] && docs="--docs tests/assist/$${set}_docs.tsv"; \
	    $(BUILD)/tools/assist_eval --index $(EA)/index $$db --heldout tests/assist/$$set.tsv $$docs; done; done
	@echo "== learned terms: resolve with half of each document's queries, search with the rest"
	$(BUILD)/tools/assist_eval --index $(EA)/index --learned tests/relevance/queries.tsv
	$(BUILD)/tools/assist_eval --index $(EA)/index --learned tests/relevance/queries.tsv --learned-test tests/relevance/blind.tsv
	$(BUILD)/tools/assist_eval --index $(EA)/index --learned tests/relevance/blind.tsv --learned-test tests/relevance/queries.tsv
	@echo "== the shipped mix over five demo years of 20,000 tickets (seeds 1-5): mean [min, max]"
	bash tests/eval/assist_seeds.sh $(EA)/index $(EA)/seeds 5 20000 $(EA_UNTIL) dev dev2 dev3 dev4 heldout heldout2 heldout3 heldout4

bench-search: deps $(BIN) $(BUILD)/tools/bench_search $(BUILD)/tools/gencorpus
	bash tests/bench/bench_search.sh

DEB_BENCH := wrk nginx-light bc
bench-deps:
	$(call apt_install,$(DEB_BENCH))

bench: bench-deps bench-search
	bash tests/bench/bench_http.sh

# The ticket workflow with BENCH_TICKETS (1,000,000) synthetic tickets loaded
# by `rexian demo` (about 20 minutes to load; BENCH_REUSE=1 keeps the
# database in build/bench-tickets for the next run): actions/s over HTTP and
# list, filter and search latency, against /healthz in the same run.
bench-tickets: deps $(BIN)
	bash tests/bench/bench_tickets.sh

# Index corpus/ (incremental: quick when nothing changed), then serve it.
# On first start the admin token is printed with the URL.
LISTEN ?= 127.0.0.1:8080
# The demo month of docs/ANALYSIS.md: its figures in build/analysis/ and the
# 统计 page and report screenshotted into docs/screenshots/ (about a minute).
analysis-shots: deps browser-deps $(BIN)
	MONTH=$(or $(MONTH),2026-07) bash tools/analysis_shots.sh

run: deps $(BIN)
	$(BIN) index corpus var/index || [ $$? -eq 1 ]
	@[ -f var/rexian.db ] && echo "(已有用户数据库 var/rexian.db；新令牌：$(BIN) user add 姓名 --role admin)" || true
	exec $(BIN) serve --index var/index --db var/rexian.db --listen $(LISTEN)

# ---- hygiene ----

SRC_ALL := $(shell git ls-files '*.c' '*.cc' '*.h' 2>/dev/null)

lint: $(BUILD)/gen/pinyin_table.h $(BUILD)/gen/t2s_table.h
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --suppress=missingIncludeSystem -Iinclude -I$(BUILD)/gen \
	  -I/usr/include --suppress='*:/usr/include/*' \
	  $(LIB_C) src/cli/main.c src/cli/demo.c src/cli/demo_matters.c
	printf '%s\n' $(LIB_C) | xargs -P$(shell nproc) -I{} \
	  clang-tidy --quiet {} -- $(CPPFLAGS) $(PKG_CFLAGS) -std=c17

format:
	clang-format -i $(SRC_ALL)

format-check:
	clang-format --dry-run --Werror $(SRC_ALL)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
