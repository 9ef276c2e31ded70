# breachflow: `make demo` runs the demo on a fresh machine, `make test` runs every test.
# Both set up what they need: Debian packages (fonts, poppler), a virtualenv, the project.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
APT_PACKAGES := fonts-ipaexfont poppler-utils libharfbuzz-subset0 postgresql
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: setup system-deps test test-fast demo bench clean

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	touch $@

setup: system-deps $(VENV)/.installed

test: setup
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-fast: setup
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not e2e"

demo: setup
	$(BIN)/python scripts/demo.py

bench: setup
	$(BIN)/python bench/scope.py

clean:
	rm -rf $(VENV) .breachflow demo-output
