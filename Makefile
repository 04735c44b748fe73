# Quick start: `make run` (install, database, seeds, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
# A local checkout's settings: DEBUG=1 and a generated key, read by archive/settings.py, so
# that `.venv/bin/python manage.py …` works as the README writes it. (Git-ignored.)
LOCAL_ENV := var/local.env
MANAGE := $(BIN)/python manage.py

.PHONY: run serve-cached test install lock migrate seed lint check bench bench-search bench-memory bench-import bench-reach loadtest screenshots clean

# Installs are reproducible: exact versions with their hashes, from the lock files that
# `make lock` writes from pyproject.toml (requirements/base.txt for production,
# requirements/dev.txt for development and CI).
$(STAMP): requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

# Update the lock files after changing pyproject.toml's dependencies (uv resolves them for
# every platform and Python 3.11+, with every file's hash).
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 -q
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv
	$(UV_COMPILE) -o requirements/base.txt
	$(UV_COMPILE) --extra dev -o requirements/dev.txt

$(LOCAL_ENV):
	mkdir -p var
	$(PYTHON) -c "import secrets; print('DEBUG=1'); print('SECRET_KEY=' + secrets.token_urlsafe(50))" > $(LOCAL_ENV)

migrate: install $(LOCAL_ENV)
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) import_articles seeds/

run: seed
	$(MANAGE) local_admin
	@echo "Serving on http://127.0.0.1:$(PORT)/ (admin: http://127.0.0.1:$(PORT)/admin/)"
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# The archive behind Varnish, as a news site runs it (archive/varnish/archive.vcl): the app in
# gunicorn on 127.0.0.1:8001, Varnish on http://127.0.0.1:$(PORT)/, purged by the app after each
# save. Needs Debian's varnish and varnish-modules. One worker unless REDIS_URL is set (the
# processes must share their cache). Ctrl+C stops both.
serve-cached: seed
	@command -v varnishd > /dev/null || { echo "varnishd not found: apt-get install varnish varnish-modules"; exit 1; }
	@dir=$$(mktemp -d /tmp/archive-varnish-XXXXXX) && chmod 755 $$dir && \
	cp archive/varnish/archive.vcl $$dir/ && \
	{ varnishd -F -a 127.0.0.1:$(PORT) -f $$dir/archive.vcl -n $$dir/work -s malloc,256m & } && \
	trap "kill $$! 2> /dev/null; wait; rm -rf $$dir" EXIT INT TERM && \
	echo "Serving on http://127.0.0.1:$(PORT)/ through Varnish (the app itself: http://127.0.0.1:8001/)" && \
	HTTP_CACHE_PURGE_URLS=http://127.0.0.1:$(PORT)/ WEB_BIND=127.0.0.1:8001 \
	WEB_WORKERS=$${WEB_WORKERS:-$$([ -n "$$REDIS_URL" ] && echo 3 || echo 1)} \
	$(BIN)/gunicorn -c archive/gunicorn_config.py archive.wsgi

# The Nu HTML checker for the reader-page test (tests/browser/test_reader_pages.py), from npm;
# without npm that one test is skipped (CI installs both).
VNU := var/vnu/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU):
	@if command -v npm > /dev/null; then \
		npm install --silent --no-audit --no-fund --prefix var/vnu vnu-jar@26.9.27; \
	else echo "npm not found: the HTML checker test will be skipped"; fi

test: install $(VNU)
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

check: install $(LOCAL_ENV)
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

# Benchmark: N synthetic articles in a separate database, then page timings.
# Uses DATABASE_URL when set (point it at a scratch database!), else the embedded server's
# "archive_bench" database.
N ?= 100000
BENCH_ENV := EMBEDDED_DATABASE=archive_bench SECRET_KEY=benchmark-only DEBUG=0 ARCHIVE_DEVTOOLS=1
bench: install $(LOCAL_ENV)
	EMBEDDED_DATABASE=archive_bench $(MANAGE) migrate --noinput -v0
	EMBEDDED_DATABASE=archive_bench $(MANAGE) fill_synthetic $(N) --clear
	$(BENCH_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(BIN)/python manage.py benchmark_pages --requests 300

# Search benchmark: every query shape, on the same N-article database (filled only once).
ROUNDS ?= 10
bench-search: install $(LOCAL_ENV)
	EMBEDDED_DATABASE=archive_bench $(MANAGE) migrate --noinput -v0
	EMBEDDED_DATABASE=archive_bench $(MANAGE) fill_synthetic $(N) --clear --unless-filled
	$(BENCH_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(BIN)/python manage.py benchmark_search --rounds $(ROUNDS)

# Translation memory benchmark: suggestions and the concordance on the same N-article database
# (its paragraphs paired the first time: about ten minutes at 100,000 articles).
bench-memory: install $(LOCAL_ENV)
	EMBEDDED_DATABASE=archive_bench $(MANAGE) migrate --noinput -v0
	EMBEDDED_DATABASE=archive_bench $(MANAGE) fill_synthetic $(N) --clear --unless-filled
	$(BENCH_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(BIN)/python manage.py benchmark_memory --rounds 5

# Import benchmark: FILES generated text files and a POSTS-post WordPress export (kept in
# var/bench/), imported into the embedded server's "archive_import_bench" database.
FILES ?= 10000
POSTS ?= 50000
bench-import: install $(LOCAL_ENV)
	EMBEDDED_DATABASE=archive_import_bench $(MANAGE) migrate --noinput -v0
	EMBEDDED_DATABASE=archive_import_bench $(MANAGE) benchmark_import --files $(FILES) --posts $(POSTS)

# The API, the newsletter and the export (articles/devtools/.../benchmark_reach.py) on the
# same N-article database: API latencies in-process, an edition for SUBSCRIBERS subscribers
# through a real SMTP server, the export and its re-import into a new database.
SUBSCRIBERS ?= 10000
bench-reach: install $(LOCAL_ENV)
	EMBEDDED_DATABASE=archive_bench $(MANAGE) migrate --noinput -v0
	EMBEDDED_DATABASE=archive_bench $(MANAGE) fill_synthetic $(N) --clear --unless-filled
	$(BENCH_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(BIN)/python manage.py benchmark_reach --subscribers $(SUBSCRIBERS)

# Load test of the production setup (gunicorn, Redis, PostgreSQL with a streaming replica)
# on ARTICLES synthetic articles; starts and stops PostgreSQL and Redis: see the command.
ARTICLES ?= 100000
DURATION ?= 30
loadtest: install $(LOCAL_ENV)
	$(MANAGE) loadtest --articles $(ARTICLES) --duration $(DURATION)

# The README's screenshots (docs/*.png), taken by a browser test of a made-up newsroom.
screenshots: install
	SCREENSHOTS=docs $(BIN)/python -m pytest -q tests/browser/test_newsroom.py \
		tests/browser/test_reader_pages.py -k "newsroom or screenshots"

clean:
	rm -rf $(VENV) var
