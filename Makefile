# citebot: `make run` and `make test` set everything up themselves on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TORCH := torch==2.13.0
# PyTorch's CPU-only wheels; used only where pip finds no CPU build of torch on its own.
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: install run test index bench lint clean
.SILENT:

$(PY):
	$(PYTHON) -m venv $(VENV)

# The CPU build of torch (version +cpu) goes in before anything that depends on torch, so that
# pip never pulls a CUDA build of several GB: from the file on this machine's disk where pip
# finds one, else from PyTorch's CPU wheel index.
$(STAMP): pyproject.toml constraints.txt | $(PY)
	echo "citebot: installing into $(VENV) (first run only)…" >&2
	$(PY) -m pip install -q --disable-pip-version-check "$(TORCH)+cpu" 2>/dev/null \
		|| $(PY) -m pip install -q --disable-pip-version-check "$(TORCH)+cpu" --extra-index-url "$(TORCH_CPU_INDEX)"
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[test]" >&2
	touch $(STAMP)

install: $(STAMP)

# The Discord bot when DISCORD_TOKEN is set (environment or .env), else the console harness.
run: $(STAMP)
	$(PY) -m bot.launch

# two workers (pytest-xdist), one per core here: each loads the model once
test: $(STAMP)
	$(PY) -m pytest -q -n 2

index: $(STAMP)
	$(PY) -m index build

bench: $(STAMP)
	$(PY) -m bench $(BENCH_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check bot index tests bench

clean:
	rm -rf $(VENV) data/index
