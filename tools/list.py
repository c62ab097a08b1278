#!/usr/bin/env python3
"""Print the files of one folder with one ending, sorted, one per line (for meson)."""
import os
import sys

folder, ending = sys.argv[1], sys.argv[2]
names = sorted(n for n in os.listdir(folder) if n.endswith(ending))
print("\n".join(os.path.join(folder, n) for n in names))
