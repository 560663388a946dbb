# Install: `cmake --install BUILD --prefix P` puts
#   P/bin/depthstyle                          the command-line program
#   P/lib/libds_*.a                           the libraries, one per folder
#   P/include/depthstyle/<folder>/*.h         their headers ("tensor/tensor.h" style includes)
#   P/lib/cmake/depthstyle/                   the CMake package: find_package(depthstyle CONFIG)
#                                             gives depthstyle::ds_tensor ... and depthstyle::depthstyle
#   P/share/depthstyle/                       the prepared data, only with --component data
# tests/install/check_install.sh builds an out-of-tree program against such an install.
# Included at the end of the top-level CMakeLists.txt, after every target exists.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(DS_INSTALL_LIBS ds_tensor ds_autograd ds_weights ds_nn ds_losses ds_app)
if(DS_HAVE_CUDA)
  list(APPEND DS_INSTALL_LIBS ds_cuda)
endif()
set(DS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/depthstyle)

# The same names inside this build as in an install, for projects that add this one as a
# subdirectory. depthstyle_lib (all libraries) is exported as depthstyle::depthstyle (the
# executable owns the plain name "depthstyle").
foreach(lib ${DS_INSTALL_LIBS})
  add_library(depthstyle::${lib} ALIAS ${lib})
endforeach()
set_target_properties(depthstyle_lib PROPERTIES EXPORT_NAME depthstyle)
add_library(depthstyle::depthstyle ALIAS depthstyle_lib)

install(TARGETS ${DS_INSTALL_LIBS} depthstyle_lib EXPORT depthstyleTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/depthstyle)
install(EXPORT depthstyleTargets NAMESPACE depthstyle:: DESTINATION ${DS_CMAKE_DIR})

# Headers of the library folders (cuda/ is internal: tensor/ declares what it implements).
foreach(folder tensor autograd weights nn losses)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/${folder} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/depthstyle
          FILES_MATCHING PATTERN "*.h" PATTERN "*.inc" PATTERN "convert" EXCLUDE PATTERN "__pycache__" EXCLUDE)
endforeach()
# apps/: the job folders' headers (the drivers a program can call), not the dispatcher's.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/apps/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/depthstyle/apps
        FILES_MATCHING PATTERN "*.h" PATTERN "depthstyle" EXCLUDE)

# The program keeps the link folders of libraries outside the system ones (cuDNN from a
# Python package, say) in its RPATH.
install(TARGETS depthstyle RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
set_target_properties(depthstyle PROPERTIES INSTALL_RPATH_USE_LINK_PATH ON)

# ---- where the prepared data is found (nn/prepared_data.h) --------------------------
# The installed default is <bin>/../share/depthstyle, found from the executable's own path
# at run time. The build tree gets the same layout: <build>/share/depthstyle links to
# <source>/data (made by scripts/setup), so build/bin/depthstyle and ds_tests find it
# without a source path compiled in.
file(RELATIVE_PATH DS_DATA_FROM_BIN ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_FULL_DATADIR}/depthstyle)
target_compile_definitions(ds_nn PRIVATE DEPTHSTYLE_DATA_FROM_BIN="${DS_DATA_FROM_BIN}")
cmake_path(ABSOLUTE_PATH DS_DATA_FROM_BIN BASE_DIRECTORY ${CMAKE_RUNTIME_OUTPUT_DIRECTORY} NORMALIZE
           OUTPUT_VARIABLE DS_BUILD_DATA_LINK)
cmake_path(GET DS_BUILD_DATA_LINK PARENT_PATH _parent)
file(MAKE_DIRECTORY ${_parent})
file(CREATE_LINK ${CMAKE_SOURCE_DIR}/data ${DS_BUILD_DATA_LINK} SYMBOLIC RESULT _link_result)
if(NOT _link_result EQUAL 0)
  message(WARNING "depthstyle: could not link ${DS_BUILD_DATA_LINK} to ${CMAKE_SOURCE_DIR}/data (${_link_result}); "
                  "programs in this build find the prepared data only through --data or DEPTHSTYLE_PREPARED")
endif()

# Optional component: `cmake --install BUILD --prefix P --component data` copies the prepared
# data (about 60 MB) to P/share/depthstyle. Not part of a plain install.
install(CODE "if(NOT EXISTS \"${CMAKE_SOURCE_DIR}/data/weights\")
  message(WARNING \"depthstyle: no prepared data in ${CMAKE_SOURCE_DIR}/data (run scripts/setup); nothing to install\")
endif()" COMPONENT data EXCLUDE_FROM_ALL)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/data/ DESTINATION ${CMAKE_INSTALL_DATADIR}/depthstyle
        COMPONENT data EXCLUDE_FROM_ALL OPTIONAL)

# ---- the package config --------------------------------------------------------------
# Libraries linked by absolute path (HDF5, OpenCV, OpenBLAS, cuDNN): the config checks they still exist.
set(DS_PATH_LIBRARIES "")
foreach(lib ${HDF5_C_LIBRARIES})
  if(IS_ABSOLUTE "${lib}")
    list(APPEND DS_PATH_LIBRARIES ${lib})
  endif()
endforeach()
list(APPEND DS_PATH_LIBRARIES ${OPENCV_LIBRARIES})
if(DS_HAVE_OPENBLAS)
  list(APPEND DS_PATH_LIBRARIES ${OPENBLAS_LIBRARY})
endif()
if(DS_HAVE_CUDA)
  list(APPEND DS_PATH_LIBRARIES ${CUDNN_LIBRARY})
endif()
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/depthstyleConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/depthstyleConfig.cmake INSTALL_DESTINATION ${DS_CMAKE_DIR})
# 0.x: a minor version may change the API.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/depthstyleConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/depthstyleConfig.cmake ${CMAKE_BINARY_DIR}/depthstyleConfigVersion.cmake
        DESTINATION ${DS_CMAKE_DIR})
