#!/usr/bin/env python3
"""Compile a file into the binary as a C byte array: embed_file.py IN OUT SYMBOL [--yaml-to-json].

With --yaml-to-json the YAML input is converted to compact JSON first (the
OpenAPI document is written in YAML and served as JSON)."""
import json
import sys

src, out, symbol = sys.argv[1], sys.argv[2], sys.argv[3]
with open(src, encoding="utf-8") as f:
    text = f.read()
if "--yaml-to-json" in sys.argv[4:]:
    import yaml

    text = json.dumps(yaml.safe_load(text), ensure_ascii=False, separators=(",", ":"))
data = text.encode("utf-8")
with open(out, "w", encoding="utf-8") as f:
    f.write("#include <stddef.h>\n")
    f.write("const char %s[] = {\n" % symbol)
    for i in range(0, len(data), 24):
        f.write("  " + ", ".join(str(b) for b in data[i:i + 24]) + ",\n")
    f.write("  0};\n")
    f.write("const size_t %s_len = %d;\n" % (symbol, len(data)))
