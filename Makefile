# The two commands of the README: `make reproduce` (the main job) and `make test`.
# Both start with `setup`, which installs missing system packages and is silent otherwise.
.PHONY: setup build test reproduce demo bench bench-data fixtures

setup:
	@bash scripts/setup.sh

build: setup
	dotnet build Polyglot.sln -c Release --nologo -v quiet

test: setup
	@bash scripts/test.sh

# Runs every notebook of notebooks/ with its defaults and writes analysis/: a report per notebook, index.html,
# and each notebook's figure in analysis/figures/.
reproduce: setup
	dotnet run -c Release --project lib/VaeLab.Cli -- reproduce

# A minute of training a small conv VAE on Fashion-MNIST, without notebooks.
demo: setup
	dotnet run -c Release --project lib/VaeLab.Cli -- demo

# Speed of VaeLab on TorchSharp against PyTorch 1.13 (needs Debian's python3-torch).
bench:
	@bash scripts/setup.sh python3-torch
	dotnet run -c Release --project bench/VaeLab.Bench

# Re-records the reference values under tests/fixtures (committed; tests need no Python).
fixtures:
	@bash scripts/setup.sh python3-torch python3-numpy python3-pil python3-png python3-torchvision python3-skimage python3-scipy
	for script in tests/fixtures/*/gen_*.py; do /usr/bin/python3 "$$script" || exit 1; done

# Speed of the data pipeline (raw ndjson to stroke-5 + RDP, and to 28x28 images) against numpy and PIL.
bench-data:
	@bash scripts/setup.sh python3-numpy python3-pil
	dotnet run -c Release --project bench/VaeLab.DataBench
