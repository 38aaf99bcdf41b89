#!/usr/bin/env bash
# Installs the `sparkify` command from this checkout as a .NET tool: packs Sparkify.Cli (Release) into
# artifacts/tool/ and installs that package, replacing an earlier install.
#   scripts/install-sparkify.sh                    # a global tool: ~/.dotnet/tools/sparkify (put that folder on PATH)
#   scripts/install-sparkify.sh --tool-path DIR    # DIR/sparkify instead
# Needs only the NuGet source the build restores from (the tool's package itself comes from artifacts/tool/).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

where=(--global)
tools_dir="$HOME/.dotnet/tools"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tool-path)
      [[ $# -ge 2 ]] || { echo "usage: scripts/install-sparkify.sh [--tool-path DIR]" >&2; exit 2; }
      mkdir -p "$2"
      tools_dir=$(cd "$2" && pwd)
      where=(--tool-path "$tools_dir")
      shift 2 ;;
    *) echo "usage: scripts/install-sparkify.sh [--tool-path DIR]" >&2; exit 2 ;;
  esac
done

package_dir="$root/artifacts/tool"
rm -rf "$package_dir"
echo "Packing Sparkify.Cli as the sparkify tool..." >&2
dotnet pack Sparkify.Cli/Sparkify.Cli.csproj -c Release -o "$package_dir" -nologo -v q -clp:ErrorsOnly -clp:NoSummary >&2
version=$(dotnet msbuild Sparkify.Cli/Sparkify.Cli.csproj -getProperty:Version -nologo)

# The same version packed again is a different package: install it afresh rather than keep the old one.
dotnet tool uninstall sparkify "${where[@]}" >/dev/null 2>&1 || true
dotnet tool install sparkify "${where[@]}" --version "$version" --add-source "$package_dir" --ignore-failed-sources >&2

echo "Installed: $tools_dir/sparkify ($("$tools_dir/sparkify" --version))" >&2
case ":$PATH:" in
  *":$tools_dir:"*) ;;
  *) echo "Put $tools_dir on your PATH to run sparkify, e.g.: export PATH=\"$tools_dir:\$PATH\"" >&2 ;;
esac
