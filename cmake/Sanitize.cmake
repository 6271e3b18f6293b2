# -DWATT_SANITIZE=address,undefined instruments every target of the tree.
if(WATT_SANITIZE)
  add_compile_options(-fsanitize=${WATT_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${WATT_SANITIZE})
endif()
