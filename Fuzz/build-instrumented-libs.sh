#!/usr/bin/env bash
# Builds coverage- and ASan-instrumented STATIC copies of the system JPEG/PNG libraries
# (Debian bookworm source of libjpeg-turbo 2.1.5 and libpng 1.6.39) so that libFuzzer can
# see their parsers. The normal build is untouched: it still links the system .so files.
# Only the fuzz build adds `-Xlinker -L<prefix>/lib` (see the end of this script).
#
# Output: /work/main/.build-fuzz-libs/prefix/lib/{libjpeg.a,libpng16.a} and nothing else in
# that directory, so the linker cannot pick a shared object there. Headers stay the system
# ones (same upstream versions, same configuration).
#
# libjpeg-turbo is built with WITH_SIMD=OFF: the C implementations of IDCT, upsampling and
# colour conversion run (and are instrumented) instead of uninstrumented NASM code.
set -euo pipefail

ROOT=/work/main
WORK="$ROOT/.build-fuzz-libs"
SRC="$WORK/src"
BUILD="$WORK/build"
STAGE="$WORK/stage"
PREFIX="$WORK/prefix"
CC=/opt/swift/usr/bin/clang
CFLAGS_FUZZ="-fsanitize=fuzzer-no-link,address -g -O1 -fno-omit-frame-pointer"
JOBS="$(nproc)"

# --- 1. Debian source packages -----------------------------------------------------------------
SRC_LIST=/etc/apt/sources.list.d/debian-src.sources
if [[ ! -f "$SRC_LIST" ]]; then
    # Mirrors the "Types: deb" bookworm main stanza of debian.sources.
    cat >"$SRC_LIST" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends cmake zlib1g-dev dpkg-dev ca-certificates >/dev/null

mkdir -p "$SRC"
if ! compgen -G "$SRC/libjpeg-turbo-*/CMakeLists.txt" >/dev/null \
    || ! compgen -G "$SRC/libpng1.6-*/CMakeLists.txt" >/dev/null; then
    # apt-get source runs as the unprivileged _apt user for the download; keep it writable.
    chmod 0777 "$SRC"
    (cd "$SRC" && apt-get source -qq libjpeg-turbo libpng1.6)
fi
JPEG_SRC="$(ls -d "$SRC"/libjpeg-turbo-*/ | head -n1)"
PNG_SRC="$(ls -d "$SRC"/libpng1.6-*/ | head -n1)"
echo "libjpeg-turbo source: $JPEG_SRC ($(dpkg-parsechangelog -l "$JPEG_SRC/debian/changelog" -S Version))"
echo "libpng source:        $PNG_SRC ($(dpkg-parsechangelog -l "$PNG_SRC/debian/changelog" -S Version))"

rm -rf "$BUILD" "$STAGE" "$PREFIX"
mkdir -p "$BUILD/jpeg" "$BUILD/png" "$STAGE" "$PREFIX/lib"

common_cmake=(
    -DCMAKE_C_COMPILER="$CC"
    -DCMAKE_BUILD_TYPE=None
    -DCMAKE_C_FLAGS="$CFLAGS_FUZZ"
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON
    -DCMAKE_INSTALL_PREFIX="$STAGE"
    -DCMAKE_INSTALL_LIBDIR=lib
)

# --- 2. libjpeg-turbo (libjpeg.a, JPEG_LIB_VERSION 62 like libjpeg62-turbo) -------------------
cmake -S "$JPEG_SRC" -B "$BUILD/jpeg" "${common_cmake[@]}" \
    -DENABLE_SHARED=OFF -DENABLE_STATIC=ON \
    -DWITH_SIMD=OFF -DWITH_TURBOJPEG=OFF -DWITH_JAVA=OFF \
    -DWITH_JPEG7=OFF -DWITH_JPEG8=OFF \
    -DWITH_ARITH_ENC=ON -DWITH_ARITH_DEC=ON
cmake --build "$BUILD/jpeg" -j"$JOBS" --target jpeg-static
cp "$BUILD/jpeg/libjpeg.a" "$PREFIX/lib/libjpeg.a"

# --- 3. libpng 1.6 (libpng16.a, against the system zlib) --------------------------------------
cmake -S "$PNG_SRC" -B "$BUILD/png" "${common_cmake[@]}" \
    -DPNG_SHARED=OFF -DPNG_STATIC=ON -DPNG_TESTS=OFF -DPNG_EXECUTABLES=OFF \
    -DPNG_FRAMEWORK=OFF -DPNG_HARDWARE_OPTIMIZATIONS=OFF \
    -DZLIB_INCLUDE_DIR=/usr/include -DZLIB_LIBRARY=/usr/lib/x86_64-linux-gnu/libz.so
cmake --build "$BUILD/png" -j"$JOBS" --target png_static
cp "$(ls "$BUILD"/png/libpng16*.a | head -n1)" "$PREFIX/lib/libpng16.a"

# --- 4. Sanity checks ---------------------------------------------------------------------------
ls -l "$PREFIX/lib"
for a in "$PREFIX"/lib/*.a; do
    syms="$(/opt/swift/usr/bin/llvm-nm "$a" 2>/dev/null || true)"
    grep -q '__sancov_cntrs\|__sanitizer_cov_' <<<"$syms" || { echo "error: $a has no coverage instrumentation" >&2; exit 1; }
    grep -q '__asan_' <<<"$syms" || { echo "error: $a has no ASan instrumentation" >&2; exit 1; }
done
if compgen -G "$PREFIX/lib/*.so*" >/dev/null; then
    echo "error: shared objects in $PREFIX/lib" >&2
    exit 1
fi

cat <<EOF

Instrumented static libs ready in $PREFIX/lib. Build the fuzzer against them with:
  cd $ROOT && METERSCAN_FUZZ=1 swift build -c debug --sanitize=fuzzer --sanitize=address \\
      --product DecodeFuzzer --scratch-path .build-fuzz-instr \\
      -Xlinker -L$PREFIX/lib -Xlinker -lz -Xlinker -lm
EOF
