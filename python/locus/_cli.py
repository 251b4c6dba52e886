"""The `locus` command of an installed package: runs the locus executable that was installed with
this module (pip: locus/bin/locus inside the package; `cmake --install`: PREFIX/bin/locus next to
PREFIX/lib/python3.X/site-packages), with the same arguments and exit status."""

import os
import shutil
import sys


def executable():
    """The path of the locus executable belonging to this module, or None."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.path.join(here, "bin", "locus"),  # pip install / wheel
                  os.path.normpath(os.path.join(here, "..", "..", "..", "..", "bin", "locus"))]  # cmake --install
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def main():
    path = executable()
    if path is None:
        found = shutil.which("locus")
        # an entry-point script named locus is on PATH too: only a real executable will do
        if found is None or os.path.abspath(found) == os.path.abspath(sys.argv[0]):
            print("locus: the locus executable was not installed with this module "
                  "(looked in {})".format(os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin")),
                  file=sys.stderr)
            return 2
        path = found
    os.execv(path, [path] + sys.argv[1:])
    return 2  # not reached


if __name__ == "__main__":
    sys.exit(main())
