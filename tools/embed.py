#!/usr/bin/env python3
"""Compile the migration files into a C array: {name, sql} in file-name order."""
import os
import sys

out, inputs = sys.argv[1], sorted(sys.argv[2:], key=os.path.basename)


def c_string(text):
    return '"' + text.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n"\n  "') + '"'


with open(out, "w", encoding="utf-8") as f:
    f.write('#include "migrate.h"\n\n')
    f.write("const struct migration db_migrations[] = {\n")
    for path in inputs:
        with open(path, encoding="utf-8") as src:
            sql = src.read()
        name = os.path.basename(path)[:-4]
        f.write("  {%s,\n  %s},\n" % (c_string(name), c_string(sql)))
    f.write("};\n")
    f.write("const int db_migrations_count = %d;\n" % len(inputs))
