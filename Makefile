# SelfSup: `make demo` and `make test` do all set-up themselves (through `make setup`).
.PHONY: setup build test demo bench clean

DOTNET_FLAGS := -nologo -v quiet -clp:ErrorsOnly

setup:
	@bash scripts/setup.sh
	@dotnet restore SelfSup.slnx $(DOTNET_FLAGS) >/dev/null
	@dotnet build SelfSup.slnx -c Release --no-restore $(DOTNET_FLAGS)
	@echo "[setup] build: ok"

build: setup

test: setup
	@bash scripts/test.sh

demo: setup
	bash scripts/demo.sh

clean:
	rm -rf src/*/bin src/*/obj tests/*/bin tests/*/obj bench/*/bin bench/*/obj
