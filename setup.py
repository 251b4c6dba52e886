"""setuptools driving the project's CMake build (pyproject.toml; docs/python.md, "Installing").

`pip install --no-build-isolation .` or `python3 -m build --no-isolation --wheel` configure and
build the targets locus_python (the extension locus._locus) and locus (the command) with CMake in
build-pip/ (Release, no tests), then put the extension next to the pure-Python package and the
command in locus/bin/. With LOCUS_CMAKE_BUILD_DIR=DIR an already configured build tree is used
instead (the tests do this to package the tree they built). Nothing is downloaded.
"""
import os
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


def version():
    text = open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8").read()
    m = re.search(r"project\(locus VERSION ([0-9.]+)", text)
    if m is None:
        raise RuntimeError("no `project(locus VERSION ...)` in CMakeLists.txt")
    return m.group(1)


class CMakeBuild(build_ext):
    """Builds locus._locus and the locus command with CMake."""

    def build_extension(self, ext):
        build_dir = os.environ.get("LOCUS_CMAKE_BUILD_DIR")
        if build_dir:
            build_dir = os.path.abspath(build_dir)
        else:
            build_dir = os.path.join(ROOT, "build-pip")
            subprocess.check_call([
                "cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                "-DLOCUS_BUILD_TESTS=OFF", "-DLOCUS_BUILD_EXAMPLES=OFF", "-DLOCUS_BUILD_BENCH=OFF",
                "-DLOCUS_WITH_MPI=OFF", "-DPYTHON_EXECUTABLE=" + sys.executable])
        jobs = str(os.cpu_count() or 1)
        subprocess.check_call(["cmake", "--build", build_dir, "--target", "locus_python", "locus",
                               "-j", jobs])
        module_dir = os.path.join(build_dir, "python", "locus")
        built = [f for f in os.listdir(module_dir) if f.startswith("_locus") and f.endswith(".so")]
        if len(built) != 1:
            raise RuntimeError("expected one _locus*.so in {}, found {}".format(module_dir, built))
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(module_dir, built[0]), target)
        bin_dir = os.path.join(os.path.dirname(target), "bin")
        os.makedirs(bin_dir, exist_ok=True)
        shutil.copy2(os.path.join(build_dir, "cli", "locus"), os.path.join(bin_dir, "locus"))
        # The SLEPc plugin (built with MPI and SLEPc only), next to the module, where both the
        # module and bin/locus look for it (lib/src/parallel/slepc.cpp).
        plugin = os.path.join(build_dir, "lib", "liblocus_slepc.so")
        if os.path.exists(plugin):
            shutil.copy2(plugin, os.path.join(os.path.dirname(target), "liblocus_slepc.so"))


setup(
    version=version(),
    ext_modules=[Extension("locus._locus", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    options={"build": {"build_base": os.path.join("build-pip", "setuptools")}},
)
