#!/usr/bin/env bash
# The .deb on this machine, end to end: builds it from a build tree with CPack, installs it with
# apt, runs both programs from the installed paths (version, the bundled demo), checks the desktop
# integration (desktop-file-validate, appstreamcli, the profile's MIME type and its default
# application), checks that every shared library the programs load comes from a package that the
# .deb's Depends pulls in, then purges it and checks that every file it installed is gone.
#
#   packaging/test-package.sh [BUILD_DIR]        (default: build/dev, built already)
#
# It installs and removes a system package, so it needs root; otherwise it exits with 77, which
# CTest reports as skipped. An ood-inspector package that was installed before is replaced and, at
# the end, removed. Exit status 0 means every check passed; any failure says what and exits 1.
set -euo pipefail

say() { echo "test-package: $*"; }
fail() {
  echo "test-package: FAIL: $*" >&2
  exit 1
}

if [ "$(id -u)" -ne 0 ]; then
  say "SKIPPED: this test installs and removes a system package; run it as root"
  exit 77
fi

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build/dev}
[ -d "$build" ] || fail "no build tree at $build"
build=$(cd "$build" && pwd)
[ -f "$build/CPackConfig.cmake" ] || fail "$build has no CPackConfig.cmake; configure it first (cmake --preset dev)"
for program in ood-inspect ood-inspector; do
  [ -x "$build/app/$program" ] || fail "$build/app/$program is not built; build it first"
done
for tool in cpack apt-get apt-cache dpkg dpkg-deb dpkg-shlibdeps desktop-file-validate appstreamcli \
  update-mime-database xdg-mime file ldd; do
  command -v "$tool" >/dev/null || fail "$tool is missing; run packaging/install-deps.sh"
done

package=ood-inspector
app_id=org.oodinspector.OODInspector
mime_type=application/x-ood-inspector-profile
started=$(date +%s)
# Readable by apt's unprivileged _apt user, so that apt reads the .deb without a warning.
work=$(mktemp -d /tmp/ood-test-package.XXXXXX)
chmod 755 "$work"
installed_here=0
cleanup() {
  local status=$?
  if [ "$installed_here" -eq 1 ] && dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
    say "removing $package after the failure"
    DEBIAN_FRONTEND=noninteractive apt-get remove --purge -y -q -o DPkg::Lock::Timeout=600 "$package" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# The installed programs run with a clean environment: no build-tree library paths, no settings or
# caches of the person running the test.
mkdir -p "$work/home" "$work/runtime"
chmod 700 "$work/runtime"
run_installed() {
  env -i PATH=/usr/bin:/bin HOME="$work/home" XDG_RUNTIME_DIR="$work/runtime" LANG=C.UTF-8 "$@"
}

# 1. Build the .deb. Its own package directory, so a developer's 'cpack' or '--target package' in
# the same build tree cannot collide with this one.
say "building the .deb from $build"
t0=$(date +%s)
(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg") >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack -G DEB failed"; }
grep -i "warning" "$work/cpack.log" >&2 || true
cpack_seconds=$(($(date +%s) - t0))
debs=("$work/pkg/${package}"_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one ${package}_*.deb in $work/pkg, found: ${debs[*]}"
deb=${debs[0]}
chmod 644 "$deb"
version=$(dpkg-deb -f "$deb" Version)
depends=$(dpkg-deb -f "$deb" Depends)
say "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB) in ${cpack_seconds} s"
say "Depends: $depends"
say "Recommends: $(dpkg-deb -f "$deb" Recommends)"
# Loaded as a plugin at run time, so no library scan finds it; the review store cannot work without it.
grep -qw "libqt6sql6-sqlite" <<<"$depends" || fail "Depends lacks libqt6sql6-sqlite (the review store's SQLite driver)"
grep -qw "wordnet-base" <<<"$depends" || fail "Depends lacks wordnet-base (the zero-shot detectors' vocabulary)"

# 2. Install it: apt, as a person would, from the file. --reinstall: the same version may be there.
# Recommends are left out so that apt needs no network; Depends alone must be enough to run.
say "installing with apt-get install ./$(basename "$deb")"
installed_here=1
t0=$(date +%s)
(cd "$work/pkg" && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall --allow-downgrades \
  --no-install-recommends -o DPkg::Lock::Timeout=600 ./"$(basename "$deb")") >"$work/apt-install.log" 2>&1 ||
  { cat "$work/apt-install.log" >&2; fail "apt-get install of the .deb failed"; }
[ "$(dpkg-query -W -f='${Status} ${Version}' "$package")" = "install ok installed $version" ] ||
  fail "dpkg does not list $package $version as installed"
install_seconds=$(($(date +%s) - t0))
dpkg -L "$package" | sort >"$work/files"
say "$(grep -c . "$work/files") paths installed"

for path in /usr/bin/ood-inspect /usr/bin/ood-inspector \
  /usr/share/applications/$app_id.desktop /usr/share/metainfo/$app_id.metainfo.xml \
  /usr/share/mime/packages/$app_id.xml /usr/share/icons/hicolor/scalable/apps/$app_id.svg \
  /usr/share/icons/hicolor/{16x16,32x32,48x48,64x64,128x128,256x256}/apps/$app_id.png; do
  grep -qxF "$path" "$work/files" && [ -s "$path" ] || fail "$path is not installed by the package"
done
# The demo (model, profile, frames) and the German translation are compiled into the programs.
! grep -E '\.(qm|pt|oodprofile)$' "$work/files" || fail "the package ships demo or translation files; they belong in the programs"
for program in /usr/bin/ood-inspect /usr/bin/ood-inspector; do
  info=$(file -L "$program")
  ! grep -q "with debug_info" <<<"$info" || fail "$program carries debug information: $info"
done

# 3. Every shared library the installed programs load belongs to a package that Depends pulls in
# (directly or through its own dependencies), so a fresh machine gets them all from apt.
apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
  --no-enhances "$package" 2>/dev/null | grep -v '^ ' | sed 's/:.*//' | sort -u >"$work/closure"
: >"$work/libs"
for program in /usr/bin/ood-inspect /usr/bin/ood-inspector; do
  ldd_out=$(run_installed ldd "$program")
  ! grep -q "not found" <<<"$ldd_out" || fail "$program: libraries not found: $(grep 'not found' <<<"$ldd_out")"
  awk '/=> \// {print $3} /^\t\// {print $1}' <<<"$ldd_out" >>"$work/libs"
  say "$program loads $(grep -c '=>' <<<"$ldd_out") shared libraries"
done
sort -u -o "$work/libs" "$work/libs"
# One dpkg query for all of them (one each takes minutes); the few it cannot place by the path
# ldd prints are tried again through symlinks and the merged /usr.
mapfile -t libs <"$work/libs"
dpkg -S "${libs[@]}" 2>/dev/null | grep -v '^diversion' >"$work/owners" || true
while read -r lib; do
  owner=$(grep -F ": $lib" "$work/owners" | awk -v p="$lib" '$NF == p {print $1; exit}' | cut -d: -f1 | cut -d, -f1) ||
    owner=""
  for candidate in "$(readlink -f "$lib")" "${lib#/usr}" "/usr$lib"; do
    [ -z "$owner" ] || break
    owner=$(dpkg -S "$candidate" 2>/dev/null | head -n1 | cut -d: -f1 | cut -d, -f1) || owner=""
  done
  [ -n "$owner" ] || fail "the programs load $lib, which no Debian package owns"
  grep -qxF "$owner" "$work/closure" ||
    fail "the programs load $lib from $owner, which the package's Depends do not pull in"
done <"$work/libs"
say "all $(grep -c . "$work/libs") libraries come from packages that the Depends pull in"

# 4. The programs from the installed paths.
out=$(cd "$work" && run_installed /usr/bin/ood-inspect --version 2>&1) || fail "ood-inspect --version failed: $out"
say "ood-inspect --version: $out"
grep -qF "$version" <<<"$out" || fail "ood-inspect --version does not print the package version $version"
grep -qi "git" <<<"$out" || fail "ood-inspect --version does not print the git revision"

say "running the bundled demo from /usr/bin/ood-inspect"
t0=$(date +%s)
(cd "$work" && run_installed /usr/bin/ood-inspect demo --out "$work/demo") >"$work/demo.log" 2>&1 ||
  { tail -n 30 "$work/demo.log" >&2; fail "ood-inspect demo failed"; }
demo_seconds=$(($(date +%s) - t0))
for output in report.html scores.csv metrics.json demo.oodprofile model.pt; do
  [ -s "$work/demo/$output" ] || fail "the demo did not write $output"
done
grep -q "near_ood" "$work/demo/metrics.json" && grep -q "far_ood" "$work/demo/metrics.json" ||
  fail "the demo's metrics.json lacks the near and far OOD tables"
[ "$(tail -n +2 "$work/demo/scores.csv" | grep -c .)" -gt 0 ] || fail "the demo's scores.csv has no rows"
say "demo: report.html, scores.csv ($(tail -n +2 "$work/demo/scores.csv" | grep -c .) frames), metrics.json in ${demo_seconds} s"

out=$(cd "$work" && run_installed QT_QPA_PLATFORM=offscreen /usr/bin/ood-inspector --version 2>&1) ||
  fail "ood-inspector --version failed: $out"
say "ood-inspector --version: $(tr '\n' ' ' <<<"$out")"
grep -qF "$version" <<<"$out" || fail "ood-inspector --version does not print the package version $version"

# 5. Desktop integration.
desktop-file-validate /usr/share/applications/$app_id.desktop || fail "desktop-file-validate reports errors"
grep -qx "Exec=ood-inspector %F" /usr/share/applications/$app_id.desktop || fail "the desktop entry's Exec is not 'ood-inspector %F'"
appstreamcli validate --no-net /usr/share/metainfo/$app_id.metainfo.xml ||
  fail "appstreamcli validate reports errors in the metainfo"
grep -qF "<release version=\"$version\"" /usr/share/metainfo/$app_id.metainfo.xml ||
  fail "the metainfo's release entry is not version $version"
# shared-mime-info's trigger ran update-mime-database: the type is in the compiled database.
[ -f /usr/share/mime/$mime_type.xml ] || fail "update-mime-database did not run: no /usr/share/mime/$mime_type.xml"
grep -q "^[0-9]*:$mime_type:\*\.oodprofile" /usr/share/mime/globs2 || fail "*.oodprofile is not in /usr/share/mime/globs2"
filetype=$(run_installed xdg-mime query filetype "$work/demo/demo.oodprofile")
[ "$filetype" = "$mime_type" ] || fail "xdg-mime says the demo profile is '$filetype', not $mime_type"
# desktop-file-utils' trigger updated the desktop database: a double-click opens the GUI.
default=$(run_installed xdg-mime query default "$mime_type")
[ "$default" = "$app_id.desktop" ] || fail "the default application of $mime_type is '$default', not $app_id.desktop"
say "desktop entry and metainfo valid; .oodprofile is $mime_type, opened by $default"

# 6. Remove it; nothing of it may stay.
say "removing with apt-get remove --purge"
t0=$(date +%s)
DEBIAN_FRONTEND=noninteractive apt-get remove --purge -y -q -o DPkg::Lock::Timeout=600 "$package" \
  >"$work/apt-remove.log" 2>&1 || { cat "$work/apt-remove.log" >&2; fail "apt-get remove --purge failed"; }
installed_here=0
remove_seconds=$(($(date +%s) - t0))
! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "installed" || fail "dpkg still knows $package after purge"
left=()
while read -r path; do
  [ -e "$path" ] || [ -L "$path" ] || continue
  # Shared directories (/usr/bin, /usr/share/icons/hicolor/...) stay for their other owners.
  if [ -d "$path" ] && [ ! -L "$path" ] && dpkg -S "$path" >/dev/null 2>&1; then
    continue
  fi
  left+=("$path")
done <"$work/files"
[ ${#left[@]} -eq 0 ] || fail "left behind after purge: ${left[*]}"
# What the triggers made from the package's files is gone too.
[ ! -e /usr/share/mime/$mime_type.xml ] || fail "/usr/share/mime/$mime_type.xml stayed after purge"
! grep -q "oodprofile" /usr/share/mime/globs2 || fail "*.oodprofile stayed in /usr/share/mime/globs2"
! grep -qs "$app_id" /usr/share/applications/mimeinfo.cache || fail "$app_id stayed in mimeinfo.cache"
say "all $(grep -c . "$work/files") paths of the package are gone or belong to other packages"

say "PASS in $(($(date +%s) - started)) s (cpack ${cpack_seconds} s, apt install ${install_seconds} s, demo ${demo_seconds} s, apt remove ${remove_seconds} s)"
