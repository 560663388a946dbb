# Writes OUT (a header) with DEPTHSTYLE_BUILD_COMMIT: the source tree's commit when the binary
# is built, with "+changes" when tracked files differ from it ("unknown" outside a git checkout).
# Run at every build (CMakeLists.txt, target ds_build_commit); the file is rewritten only when
# the text changes, so only what includes it recompiles after a commit.
execute_process(COMMAND git -C "${SRC}" rev-parse --short HEAD OUTPUT_VARIABLE commit
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE failed)
if(failed OR commit STREQUAL "")
  set(commit "unknown")
else()
  execute_process(COMMAND git -C "${SRC}" status --porcelain --untracked-files=no OUTPUT_VARIABLE changes ERROR_QUIET)
  if(NOT changes STREQUAL "")
    set(commit "${commit}+changes")
  endif()
endif()
set(text "#define DEPTHSTYLE_BUILD_COMMIT \"${commit}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
