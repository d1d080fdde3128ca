# Warnings for leadscore's own targets only (PRIVATE): never forced on users.
function(leadscore_set_warnings target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 $<$<BOOL:${LEADSCORE_WERROR}>:/WX>)
  else()
    # -Wno-missing-field-initializers: config structs are filled with
    # designated initializers that leave defaults out on purpose (GCC < 13
    # warns on those). -Wno-restrict: GCC 12 reports false overlaps in
    # std::string concatenation at -O2/-O3 (GCC bug 105651).
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
      -Wno-missing-field-initializers
      $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>
      $<$<BOOL:${LEADSCORE_WERROR}>:-Werror>)
  endif()
endfunction()
