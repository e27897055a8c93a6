# faxd_embed(<target> NAME <function> BASE <dir> FILES <relative paths...>)
# Compiles the files into <target>; at run time `NAME()` returns them (see embedded.hpp).
function(faxd_embed target)
  cmake_parse_arguments(E "" "NAME;BASE" "FILES" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${E_NAME}.cpp)
  set(deps "")
  foreach(f IN LISTS E_FILES)
    list(APPEND deps ${E_BASE}/${f})
  endforeach()
  string(REPLACE ";" "\\;" files_arg "${E_FILES}")
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${out} -DNAME=${E_NAME} -DBASE=${E_BASE} "-DFILES=${files_arg}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    DEPENDS ${deps} ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    COMMENT "Embedding ${E_NAME}" VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
