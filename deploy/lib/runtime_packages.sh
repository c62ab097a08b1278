#!/bin/sh
# Prints the Debian packages that hold the shared libraries BINARY loads: the
# runtime stage of deploy/Containerfile installs exactly these, so its list
# never drifts from what the build links against.
#   deploy/lib/runtime_packages.sh build/opop-api
set -eu
ldd "$1" | awk '/=> \// { print $3 }' | while read -r lib; do
  # Merged /usr: a library may be registered under /lib or /usr/lib.
  dpkg -S "$lib" 2>/dev/null || dpkg -S "/usr${lib#/usr}" 2>/dev/null || dpkg -S "${lib#/usr}" 2>/dev/null ||
    { echo "no package holds $lib" >&2; exit 1; }
done | cut -d: -f1 | sort -u | tr '\n' ' '
echo
