# SegmentDesk: `make run` opens the app on the demo data, `make test` runs every test headless.
# Both bootstrap by themselves: system libraries via apt-get when missing, .venv/ from requirements.lock.
PYTHON ?= python3.11
VENV := .venv
LOCK_HASH := $(shell sha256sum requirements.lock | cut -c1-16)
STAMP := $(VENV)/.lock-$(LOCK_HASH)
# Libraries Qt needs (offscreen and xcb), the CJK font the UI, charts and tests render with, and
# the Latin face of the printed report (DejaVu) and poppler-utils (pdfinfo, pdftotext, pdffonts),
# which the report tests read the PDFs with.
SYSTEM_PACKAGES := libegl1 libgl1 libglib2.0-0 libdbus-1-3 libfontconfig1 libfreetype6 libxkbcommon0 \
	libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
	libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 fonts-noto-cjk \
	fonts-dejavu-core poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench build build-smoke demo lock system-deps

run: $(STAMP) system-deps
	$(VENV)/bin/python main.py $(wildcard resources/demo/*.csv)

test: $(STAMP) system-deps
	$(VENV)/bin/python -m pytest -n 2 --dist worksteal  # two workers; an idle one takes tests from the other (a file each left one idle for a minute)

bench: $(STAMP)
	$(VENV)/bin/python bench/bench_import.py
	$(VENV)/bin/python bench/import_stages.py
	$(VENV)/bin/python bench/bench_plan.py
	$(VENV)/bin/python bench/bench_scale.py  # ten 1M-line exports: 4.5 GB generated once, minutes per run
	$(VENV)/bin/python bench/bench_responsiveness.py  # the same ten in the window, offscreen
	$(VENV)/bin/python bench/bench_segments.py
	$(VENV)/bin/python bench/bench_trends.py
	$(VENV)/bin/python bench/bench_exports.py
	$(VENV)/bin/python bench/bench_startup.py
	$(VENV)/bin/python bench/summary.py  # the four figures of issue 18

# dist/segmentdesk/ (see build.spec; packaging/ has the installers); build-smoke runs it headless.
build: $(STAMP) system-deps
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN build.spec
	@du -sh dist/segmentdesk

build-smoke: system-deps
	packaging/smoke_frozen.sh

demo: $(STAMP)
	$(VENV)/bin/python main.py demo resources/demo

# Rebuild the virtual environment whenever the pinned versions change.
$(STAMP): requirements.lock
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements.lock
	touch $@

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

lock:
	rm -rf /tmp/segmentdesk-lock && $(PYTHON) -m venv /tmp/segmentdesk-lock
	/tmp/segmentdesk-lock/bin/python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\\n'.join(p['dependencies'] + p['optional-dependencies']['dev']))" > /tmp/segmentdesk-lock/direct.txt
	/tmp/segmentdesk-lock/bin/pip install --quiet -r /tmp/segmentdesk-lock/direct.txt && /tmp/segmentdesk-lock/bin/pip freeze > requirements.lock
