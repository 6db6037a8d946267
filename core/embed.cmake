# Turns the file IN into a C source OUT defining cp_demo_json[] and cp_demo_json_len.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
file(WRITE ${OUT} "/* Generated from packaging/demo/store.json; do not edit. */\n#include <stddef.h>\nconst char cp_demo_json[] = {${body} 0};\nconst size_t cp_demo_json_len = ${len};\n")
