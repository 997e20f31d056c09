#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Builds the Debian package from an existing build, inspects it, unpacks it
# into a scratch root and runs what it installed.
# Usage: package_test.sh BUILD_DIR VERSION
set -euo pipefail
build=$1
version=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/nvd-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cpack --config "$build/CPackConfig.cmake" -B "$work/out" > "$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack"; }
deb="$work/out/nvidia-docker_${version}_$(dpkg --print-architecture).deb"
[ -f "$deb" ] || fail "no package named $(basename "$deb"): $(ls "$work/out")"

info=$(dpkg-deb -I "$deb")
grep -q "^ Package: nvidia-docker$" <<<"$info" || fail "package name"
grep -q "^ Version: $version$" <<<"$info" || fail "package version is not $version"
grep -q "^ Depends: .*libc6" <<<"$info" || fail "Depends lacks libc6 (dpkg-shlibdeps)"
grep -q "^ Depends: .*libcurl4" <<<"$info" || fail "Depends lacks libcurl4 (loaded with dlopen)"
grep -q "conffiles" <<<"$info" || fail "no conffiles"

contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for path in ./usr/bin/nvidia-docker ./usr/bin/nvidia-docker-plugin ./usr/lib/nvidia-docker/nvidia-docker-gpu \
            ./usr/share/man/man1/nvidia-docker.1.gz ./usr/share/man/man8/nvidia-docker-plugin.8.gz \
            ./usr/share/nvidia-docker/examples/inventory-2gpu.json \
            ./usr/share/nvidia-docker/examples/inventory-8gpu.json \
            ./usr/share/bash-completion/completions/nvidia-docker \
            ./usr/share/zsh/vendor-completions/_nvidia-docker \
            ./lib/systemd/system/nvidia-docker-plugin.service \
            ./etc/default/nvidia-docker-plugin ./var/lib/nvidia-docker/volumes/ \
            ./usr/share/doc/nvidia-docker/copyright ./usr/share/doc/nvidia-docker/changelog.gz; do
  grep -qx "$path" <<<"$contents" || fail "package lacks $path"
done

root="$work/root"
dpkg -x "$deb" "$root"
out=$("$root/usr/bin/nvidia-docker-plugin" -v)
[ "$out" = "nvidia-docker-plugin $version" ] || fail "plugin -v printed: $out"
"$root/usr/bin/nvidia-docker-plugin" --help | grep -q -- "--inventory" || fail "plugin --help"
out=$(NV_DOCKER=/bin/true "$root/usr/bin/nvidia-docker" version)
[ "$out" = "NVIDIA Docker: $version" ] || fail "nvidia-docker version printed: $out"
# run/create go to the installed helper: its own error shows it was found.
out=$(NV_DOCKER=/bin/false "$root/usr/bin/nvidia-docker" run some-image 2>&1 || true)
grep -q "cannot read image some-image" <<<"$out" || fail "the front did not reach the GPU helper: $out"
out=$("$root/usr/bin/nvidia-docker-plugin" --inventory "$root/usr/share/nvidia-docker/examples/bad.json" 2>&1 || true)
grep -q "bad.json" <<<"$out" || fail "plugin does not name a missing inventory: $out"

for page in man1/nvidia-docker.1.gz man8/nvidia-docker-plugin.8.gz; do
  warnings=$(zcat "$root/usr/share/man/$page" | groff -ww -z -man 2>&1)
  [ -z "$warnings" ] || fail "$page: $warnings"
  zcat "$root/usr/share/man/$page" | grep -q "nvidia-docker $version" || fail "$page does not carry version $version"
done
bash -n "$root/usr/share/bash-completion/completions/nvidia-docker" || fail "bash completion syntax"
grep -q "^ExecStart=/usr/bin/nvidia-docker-plugin" "$root/lib/systemd/system/nvidia-docker-plugin.service" \
  || fail "unit does not start the installed plugin"
grep -q -- "-l localhost:3476" "$root/lib/systemd/system/nvidia-docker-plugin.service" \
  || fail "unit does not listen on localhost by default"
grep -q -- "--inventory" "$root/lib/systemd/system/nvidia-docker-plugin.service" \
  && fail "unit needs an inventory: it must use NVML by default"
grep -q "^Before=docker.service" "$root/lib/systemd/system/nvidia-docker-plugin.service" \
  || fail "unit does not start before docker"
if command -v systemd-analyze > /dev/null; then
  systemd-analyze verify --man=no "$root/lib/systemd/system/nvidia-docker-plugin.service" 2>&1 | grep -v "nvidia-docker-plugin: command not found\|is not executable" | grep -i "error\|unknown" \
    && fail "systemd-analyze finds fault with the unit"
fi

if command -v lintian > /dev/null; then
  findings=$(lintian --tag-display-limit 0 "$deb" 2>&1 | grep -E '^(E|W):' || true)
  [ -z "$findings" ] || fail "lintian: $findings"
  echo "lintian: no error or warning"
else
  echo "lintian not installed: skipped"
fi
echo "package $(basename "$deb") checked"
