# faxd_fuzz_smoke(TARGET SOURCE LIBS...): builds the fuzz target's entry function with the normal
# compiler and runs it over tests/fuzz/corpus/TARGET as the ctest `fuzz_smoke.TARGET`. Called
# from the tests/unit/<subsystem>/CMakeLists.txt that owns the parser, so `make test` (and the
# ASan/TSan builds) replay every seed, including the reproducers of past findings.
function(faxd_fuzz_smoke target source)
  set(exe fuzz_smoke_${target})
  add_executable(${exe} ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_smoke_main.cpp
                        ${PROJECT_SOURCE_DIR}/tests/fuzz/${source})
  get_filename_component(entry ${source} NAME_WE)
  string(REGEX REPLACE "_fuzz$" "" entry ${entry})
  target_compile_definitions(${exe} PRIVATE FAXD_FUZZ_SMOKE=1 FAXD_FUZZ_ENTRY=fuzz_${entry})
  target_link_libraries(${exe} PRIVATE ${ARGN})
  add_test(NAME fuzz_smoke.${target}
           COMMAND ${exe} ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/${target})
  set_tests_properties(fuzz_smoke.${target} PROPERTIES LABELS fuzz_smoke)
endfunction()
