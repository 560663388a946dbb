# DEPTHSTYLE_CUDA_EMULATE (included by CMakeLists.txt): ds_cuda from cuda/*.cu and cuda/*.cpp
# compiled as C++, with this folder's stand-in CUDA headers first on the include path, plus
# their host implementation; cuda/cublas_library.cpp (dlopen) is replaced by emu_cublas.cpp.
file(GLOB DS_CUDA_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/cuda/*.cu ${CMAKE_SOURCE_DIR}/cuda/*.cpp)
list(FILTER DS_CUDA_SOURCES EXCLUDE REGEX "/cuda/cublas_library\\.cpp$")
file(GLOB DS_CUDA_EMU_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cpp)
foreach(cu ${DS_CUDA_SOURCES})
  if(cu MATCHES "\\.cu$")
    set_source_files_properties(${cu} PROPERTIES LANGUAGE CXX COMPILE_OPTIONS "-xc++")
  endif()
endforeach()
ds_library(ds_cuda SOURCES ${DS_CUDA_SOURCES} ${DS_CUDA_EMU_SOURCES} DEPS ds_tensor)
# PUBLIC and BEFORE: tests that include cuda/ headers (test_cuda_runtime.cpp) see the stand-ins too.
target_include_directories(ds_cuda BEFORE PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_compile_definitions(ds_cuda PUBLIC DEPTHSTYLE_CUDA_EMULATE)
target_compile_definitions(ds_tensor PUBLIC DEPTHSTYLE_HAVE_CUDA)
target_link_libraries(ds_tensor PUBLIC ds_cuda)
