#!/usr/bin/env bash
# Installs this build into a temporary prefix and uses it like someone who links the library:
#   1. cmake --install BUILD --prefix TMP/prefix
#   2. every header under include/depthstyle finds the project headers it includes there, and
#      the package files name no folder of the source or build tree
#   3. configures and builds tests/install/example with find_package(depthstyle) and runs it
#   4. runs the installed depthstyle --help, and checks that it looks for its prepared data in
#      TMP/prefix/share/depthstyle (found from its own path), not in the source tree.
# Usage: check_install.sh CMAKE BUILD_DIR SOURCE_DIR CXX_COMPILER
set -uo pipefail
cmake="$1" build="$2" src="$3" cxx="$4"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"
fail=0
bad() { echo "FAIL: $*"; fail=1; }

"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 || {
  cat "$tmp/install.log"; echo "FAIL: cmake --install failed"; exit 1; }

# 2. headers and package files
inc="$prefix/include/depthstyle"
for lib in ds_tensor ds_autograd ds_weights ds_nn ds_losses ds_app; do
  [ -f "$prefix/lib/lib$lib.a" ] || bad "lib/lib$lib.a is not installed"
done
[ -f "$inc/tensor/tensor.h" ] || bad "include/depthstyle/tensor/tensor.h is not installed"
while IFS= read -r header; do
  while IFS= read -r included; do
    [ -f "$inc/$included" ] || bad "${header#"$inc"/} includes \"$included\", which is not installed"
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$header")
done < <(find "$inc" -type f)
for f in depthstyleConfig.cmake depthstyleConfigVersion.cmake depthstyleTargets.cmake; do
  [ -f "$prefix/lib/cmake/depthstyle/$f" ] || bad "lib/cmake/depthstyle/$f is not installed"
done
if grep -rlF -e "$src/" -e "$build/" "$prefix/lib/cmake/depthstyle" >/dev/null; then
  bad "the package files name the source or build tree:"
  grep -rnF -e "$src/" -e "$build/" "$prefix/lib/cmake/depthstyle"
fi

# 3. the out-of-tree example
if "$cmake" -S "$src/tests/install/example" -B "$tmp/example" -DCMAKE_BUILD_TYPE=Release \
     -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" >"$tmp/configure.log" 2>&1 &&
   "$cmake" --build "$tmp/example" -j2 >"$tmp/build.log" 2>&1; then
  out="$("$tmp/example/example" "$tmp" 2>&1)"
  # x = (1, 2, 3, 4): sum(x*x) = 1 + 4 + 9 + 16 = 30, d/dx sum(x*x) = 2x = (2, 4, 6, 8); the
  # weight file gives x back.
  want="sum(x*x) = 30; grad = 2 4 6 8; saved = 1 2 3 4"
  [ "$out" = "$want" ] || bad "example printed '$out', expected '$want'"
else
  cat "$tmp/configure.log" "$tmp/build.log" 2>/dev/null | tail -40
  bad "the example did not configure or build against the install"
fi

# 4. the installed program
bin="$prefix/bin/depthstyle"
"$bin" --help 2>&1 | grep -q "^usage: depthstyle \[--data DIR\] COMMAND" ||
  bad "installed depthstyle --help printed no usage line"
printf 'not HDF5\n' >"$tmp/image.png"
err="$(cd "$tmp" && env -u DEPTHSTYLE_PREPARED "$bin" classify --device cpu image.png 2>&1)"
echo "$err" | grep -qF "$prefix/share/depthstyle/weights/squeezenet1_1.h5: not found" ||
  bad "without data, classify should name $prefix/share/depthstyle; it said: $err"
echo "$err" | grep -qF -e "$src/data" && bad "the installed program looked in the source tree: $err"
# A (broken) weight file and a label list in the installed default are found; the weight
# file is then refused for what it holds.
mkdir -p "$prefix/share/depthstyle/weights" "$prefix/share/depthstyle/images/labels"
cp "$tmp/image.png" "$prefix/share/depthstyle/weights/squeezenet1_1.h5"
seq 1000 | sed 's/^/class /' >"$prefix/share/depthstyle/images/labels/imagenet_classes.txt"
err="$(cd "$tmp" && env -u DEPTHSTYLE_PREPARED "$bin" classify --device cpu image.png 2>&1)"
echo "$err" | grep -qF "$prefix/share/depthstyle/weights/squeezenet1_1.h5" && ! echo "$err" | grep -qF "not found" ||
  bad "classify should have opened $prefix/share/depthstyle/weights/squeezenet1_1.h5; it said: $err"
# --data comes first.
mkdir -p "$tmp/mine"
err="$(cd "$tmp" && "$bin" --data "$tmp/mine" classify --device cpu image.png 2>&1)"
echo "$err" | grep -qF "$tmp/mine/weights/squeezenet1_1.h5: not found" || bad "--data was not used first: $err"

[ $fail = 0 ] && echo "install: the example built against $prefix printed '$want';" \
  "the installed program finds its data beside it"
exit $fail
