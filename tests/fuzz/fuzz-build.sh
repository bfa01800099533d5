#!/bin/sh
# Builds every fuzz target (tests/fuzz/fuzz_*.cc, listed below) with clang's
# libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer into
# fuzz-build/fuzz_TARGET. Used by tests/fuzz/run-fuzzers (the CI gate) and
# tests/fuzz/explore; run from the build folder after `make` (it needs
# config.h, the generated src/remote/sh_embedded.cc and the library flags
# configure found). Prints the target names on its last line of stdout
# ("targets: ..."); everything else goes to stderr.
#
# The project's libraries are built by g++ without sanitizers, so the src/
# files the targets exercise are compiled again here with clang and the
# sanitizers (into fuzz-build/obj, ccache used when present): a sanitizer
# and libFuzzer's coverage only see code built with them.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
builddir=$(pwd)
if [ ! -f "$builddir/config.h" ] || [ ! -f "$builddir/Makefile" ]; then
    echo "fuzz-build: run it from the build folder after ./configure && make (no config.h here)" >&2
    exit 2
fi
if [ ! -f "$builddir/src/remote/sh_embedded.cc" ]; then
    make -C "$builddir" src/remote/sh_embedded.cc >/dev/null
fi

# The same list as tests/fuzz/local.mk's RJ_FUZZ_TARGETS.
targets="sync journal replies probe slurm ssh_config known_hosts config plan duration script clock"

CLANGXX=${RJ_FUZZ_CXX:-clang++}
if ! command -v "$CLANGXX" >/dev/null 2>&1; then
    echo "fuzz-build: $CLANGXX not found (contrib/install-deps installs clang and libclang-rt-14-dev)" >&2
    exit 2
fi
CCACHE=
if command -v ccache >/dev/null 2>&1; then CCACHE=ccache; fi

# The libraries configure found, as the Makefile links them (RE2_* are empty
# where configure does not look for RE2).
mkvar() { sed -n "s/^$1 = //p" "$builddir/Makefile" | head -n 1; }
libs="$(mkvar RE2_LIBS) $(mkvar YAMLCPP_LIBS) $(mkvar SQLITE_LIBS) $(mkvar LIBSSH2_LIBS) $(mkvar LIBCURL_LIBS) $(mkvar LIBCRYPTO_LIBS) $(mkvar BOOST_LDFLAGS) $(mkvar BOOST_PROGRAM_OPTIONS_LIB)"
cppflags="-I$srcdir/src -I$builddir -I$here $(mkvar RE2_CFLAGS) $(mkvar YAMLCPP_CFLAGS) $(mkvar SQLITE_CFLAGS) $(mkvar LIBSSH2_CFLAGS) $(mkvar LIBCRYPTO_CFLAGS) $(mkvar BOOST_CPPFLAGS)"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
cxxflags="-std=c++20 -g -O1 -pthread $san"

out="$builddir/fuzz-build"
mkdir -p "$out/obj"

# The files the targets parse and compute with are built with clang and the
# sanitizers (a failure here fails the run); whatever else they link (the
# engine and store code plan_file.cc and job_edits.cc reach) comes from the
# project's own g++ libraries, uninstrumented: it is not what is fuzzed, and
# some of it is C++20 that clang 14 rejects (lambdas capturing structured
# bindings).
# shellcheck disable=SC2010  # fixed source names, no odd characters
srcs=$(cd "$srcdir" && ls src/util/*.cc src/remote/*.cc | grep -v sh_embedded.cc)
srcs="$srcs src/ssh/ssh_config.cc src/ssh/known_hosts.cc src/ssh/host_pattern.cc src/store/config_file.cc
src/engine/plan_file.cc src/engine/placement.cc src/engine/job_edits.cc
src/engine/host_clock.cc src/engine/progress.cc src/engine/job_facts.cc"
echo "fuzz-build: compiling $(echo "$srcs" | wc -w) src/ files with $CLANGXX and sanitizers" >&2
rm -f "$out"/obj/*.o
{
    for f in $srcs; do echo "$srcdir/$f $out/obj/$(echo "$f" | tr / _).o"; done
    echo "$builddir/src/remote/sh_embedded.cc $out/obj/src_remote_sh_embedded.cc.o"
} | xargs -P 2 -L 1 sh -c "$CCACHE $CLANGXX $cxxflags -fsanitize=fuzzer-no-link $cppflags -c \"\$0\" -o \"\$1\" || exit 255"
rm -f "$out/librjfuzz.a"
ar cr "$out/librjfuzz.a" "$out"/obj/*.o
# Copies of the project's libraries without the members built above (each
# definition once), linked as one group (the layers call each other).
rjlibs=
for l in engine/librjengine.a remote/librjremote.a notify/librjnotify.a store/librjstore.a ssh/librjssh.a \
    event/librjevent.a util/librjutil.a; do
    if [ ! -f "$builddir/src/$l" ]; then
        echo "fuzz-build: $builddir/src/$l missing: run make first" >&2
        exit 2
    fi
    copy="$out/$(basename "$l")"
    cp "$builddir/src/$l" "$copy"
    for f in $srcs src/remote/sh_embedded.cc; do
        case $f in "src/$(dirname "$l")/"*) ar d "$copy" "$(basename "$f" .cc).o" 2>/dev/null || true ;; esac
    done
    rjlibs="$rjlibs $copy"
done

for t in $targets; do
    echo "fuzz-build: building fuzz_$t" >&2
    # shellcheck disable=SC2086
    $CCACHE $CLANGXX $cxxflags -fsanitize=fuzzer $cppflags "$here/fuzz_$t.cc" -Wl,--start-group "$out/librjfuzz.a" $rjlibs -Wl,--end-group $libs \
        -o "$out/fuzz_$t"
done
echo "targets: $targets"
