# SelfSup: `make demo` and `make test` do all set-up themselves (through `make setup`).
.PHONY: setup build test demo bench clean pack install uninstall docs

DOTNET_FLAGS := -nologo -v quiet -clp:ErrorsOnly
# TORCH=cuda swaps TorchSharp-cpu for TorchSharp-cuda-linux (make setup TORCH=cuda); the default cpu build is what CI tests
TORCH ?= cpu
DOTNET_FLAGS += -p:TORCH=$(TORCH)

setup:
	@bash scripts/setup.sh
	@dotnet restore SelfSup.slnx $(DOTNET_FLAGS) >/dev/null
	@dotnet build SelfSup.slnx -c Release --no-restore $(DOTNET_FLAGS)
	@echo "[setup] build: ok"

build: setup

test: setup
	@bash scripts/test.sh
	@$(MAKE) --no-print-directory docs   # the documentation must build without a broken link or cref

demo: setup
	bash scripts/demo.sh

# the documentation site (docs/_site): the guides in docs/ and an API reference from the XML doc comments (docfx,
# a .NET tool restored from NuGet); warnings, such as a link or cref that resolves to nothing, fail the build
docs: setup
	@dotnet tool restore >/dev/null
	@cd docs && dotnet docfx docfx.json --warningsAsErrors
	@echo "[docs] site: docs/_site/index.html"

# NuGet packages into artifacts/packages: SelfSup (the library) and SelfSup.Tool (the `selfsup` dotnet tool)
pack: setup
	@dotnet pack src/SelfSup/SelfSup.csproj -c Release --no-build $(DOTNET_FLAGS)
	@dotnet pack src/SelfSup.Cli/SelfSup.Cli.csproj -c Release --no-build $(DOTNET_FLAGS)
	@ls -1 artifacts/packages/*.nupkg

# installs the tool from artifacts/packages into $(PREFIX)/lib/selfsup and links $(PREFIX)/bin/selfsup (on the PATH)
PREFIX ?= /usr/local
install: pack
	@dotnet tool uninstall --tool-path "$(PREFIX)/lib/selfsup" SelfSup.Tool >/dev/null 2>&1 || true
	@dotnet tool install --tool-path "$(PREFIX)/lib/selfsup" --add-source artifacts/packages SelfSup.Tool
	@mkdir -p "$(PREFIX)/bin" && ln -sf "$(PREFIX)/lib/selfsup/selfsup" "$(PREFIX)/bin/selfsup"
	@echo "installed: $$(command -v selfsup || echo "$(PREFIX)/bin/selfsup (add $(PREFIX)/bin to PATH)")"

uninstall:
	@dotnet tool uninstall --tool-path "$(PREFIX)/lib/selfsup" SelfSup.Tool || true
	@rm -f "$(PREFIX)/bin/selfsup"

clean:
	rm -rf src/*/bin src/*/obj tests/*/bin tests/*/obj bench/*/bin bench/*/obj artifacts docs/_site docs/api/*.yml
