#!/usr/bin/env bash
# Build a CPython interpreter from a git snapshot of a source release and install it where the
# project's interpreter discovery looks (~/.pyenv/versions/<name> by default).
#
# Used to get real 3.14.x interpreters (default and free-threaded) for the conformance tier, which
# skips versions that are not installed. CI does not run this (it cannot fetch the sources).
#
#   scripts/build-cpython.sh --git-dir DIR --commit SHA [--name 3.14.7] [--free-threaded]
#                            [--prefix DIR] [--jobs N] [--omit PATH]... [--work DIR] [--keep]
#
#   --git-dir   a git directory (bare or not) holding the source release snapshot
#   --commit    the commit to build (for 3.14.7: 0edaa75, "Import CPython 3.14.7 source release")
#   --name      install name; default: the version read from Include/patchlevel.h, plus "t" when
#               --free-threaded is given (3.14.7 / 3.14.7t, the names pyenv uses)
#   --prefix    install prefix; default $PYENV_ROOT/versions/<name> (PYENV_ROOT defaults to ~/.pyenv)
#   --omit      a path to leave out of the exported tree (for snapshots missing an unneeded blob,
#               e.g. Misc/svnmap.txt); may be repeated
#   --jobs      make -j value (default 2)
#   --work      build folder (default: a fresh folder under ${TMPDIR:-/tmp}); removed afterwards
#               unless --keep is given
#
# Run it niced on a shared machine:  nice -n 10 scripts/build-cpython.sh ...
set -euo pipefail

die() { printf 'build-cpython: %s\n' "$*" >&2; exit 1; }
log() { printf '[build-cpython %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

git_dir='' commit='' name='' prefix='' jobs=2 work='' keep=0 free_threaded=0
omit=()
while (($#)); do
  case "$1" in
    --git-dir) git_dir=${2:?}; shift 2 ;;
    --commit) commit=${2:?}; shift 2 ;;
    --name) name=${2:?}; shift 2 ;;
    --prefix) prefix=${2:?}; shift 2 ;;
    --jobs) jobs=${2:?}; shift 2 ;;
    --omit) omit+=("${2:?}"); shift 2 ;;
    --work) work=${2:?}; shift 2 ;;
    --keep) keep=1; shift ;;
    --free-threaded|--disable-gil) free_threaded=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[[ -n $git_dir && -n $commit ]] || die '--git-dir and --commit are required'
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "--jobs wants a positive number, got '$jobs'"
git --git-dir="$git_dir" rev-parse --verify --quiet "$commit^{commit}" >/dev/null 2>&1 \
  || die "commit $commit not found in $git_dir"
full_commit=$(git --git-dir="$git_dir" rev-parse "$commit^{commit}")

version=$(git --git-dir="$git_dir" show "$full_commit:Include/patchlevel.h" \
  | sed -n 's/^#define PY_VERSION[[:space:]]*"\([^"]*\)".*/\1/p')
[[ -n $version ]] || die "no PY_VERSION in Include/patchlevel.h at $commit"
suffix=''; ((free_threaded)) && suffix=t
name=${name:-$version$suffix}
prefix=${prefix:-${PYENV_ROOT:-$HOME/.pyenv}/versions/$name}

if [[ -z $work ]]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/build-cpython-$name.XXXXXX")
else
  mkdir -p -- "$work"
fi
index="$work/index"
src="$work/src"
cleanup() { ((keep)) || rm -rf -- "$work"; }
trap cleanup EXIT

log "CPython $version ($full_commit) -> $prefix (free-threaded: $free_threaded, work: $work)"

# Export the commit's tree through a private index so paths can be left out without touching the
# repository; git archive then writes exactly that tree.
GIT_INDEX_FILE=$index git --git-dir="$git_dir" read-tree "$full_commit"
for path in "${omit[@]}"; do
  GIT_INDEX_FILE=$index git --git-dir="$git_dir" update-index --force-remove -- "$path"
done
tree=$(GIT_INDEX_FILE=$index git --git-dir="$git_dir" write-tree)
mkdir -p -- "$src"
git --git-dir="$git_dir" archive --format=tar "$tree" | tar -x -C "$src"

configure_args=(--prefix="$prefix")
((free_threaded)) && configure_args+=(--disable-gil)
cd -- "$src"
log "configure ${configure_args[*]}"
./configure "${configure_args[@]}" >"$work/configure.log" 2>&1 \
  || { tail -n 40 "$work/configure.log" >&2; keep=1; die "configure failed (log: $work/configure.log)"; }
log "make -j$jobs"
make -j"$jobs" >"$work/make.log" 2>&1 \
  || { tail -n 40 "$work/make.log" >&2; keep=1; die "make failed (log: $work/make.log)"; }
log 'make install'
make install >"$work/install.log" 2>&1 \
  || { tail -n 40 "$work/install.log" >&2; keep=1; die "make install failed (log: $work/install.log)"; }

exe="$prefix/bin/python${version%.*}$suffix"
[[ -x $exe ]] || die "installed, but $exe is missing"
log "done: $("$exe" -c 'import sys, sysconfig; print(sys.version.split()[0], "Py_GIL_DISABLED=%s" % sysconfig.get_config_var("Py_GIL_DISABLED"))')"
