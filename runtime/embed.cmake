# Writes the bytes of file IN as a C++ array definition to OUT.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" len)
math(EXPR size "${len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE ${OUT}.tmp "// Generated from the tdc runtime object; do not edit.\n"
  "static const unsigned char kRuntimeObject[${size}] = {\n${bytes}};\n")
file(RENAME ${OUT}.tmp ${OUT})
