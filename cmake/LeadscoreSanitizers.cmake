# LEADSCORE_SANITIZE builds every target of this tree with ASan and UBSan, and
# makes UBSan findings fatal so that tests fail on them.
if(LEADSCORE_SANITIZE)
  if(MSVC)
    message(FATAL_ERROR "LEADSCORE_SANITIZE needs GCC or Clang")
  endif()
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
