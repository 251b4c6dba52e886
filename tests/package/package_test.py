"""Installing locus the way its users do (docs/python.md, "Installing"), in a scratch directory,
then using it from outside the source tree:

1. `cmake --install BUILD --prefix P`: P/bin/locus --version, and with PYTHONPATH at P's
   site-packages `import locus; locus.hessian(locus.load(FILE))` and the `locus` entry point;
2. `pip install --no-build-isolation --no-deps SOURCE` into `python3 -m venv
   --system-site-packages V` (LOCUS_CMAKE_BUILD_DIR=BUILD: the tree built here is packaged, not
   built again): V/bin/locus --version and V/bin/python -c "import locus; ...";
3. a wheel: `python3 -m build --no-isolation --wheel` when python3-build is installed, otherwise
   `pip wheel --no-build-isolation --no-deps`; it contains the extension and the command.

Every installed module must report the build tree's version and the same Hessian as the
build-tree module (PYTHONPATH=BUILD/python). Nothing is downloaded (pip runs with --no-index).

Usage: python3 package_test.py SOURCE_DIR BUILD_DIR WORK_DIR PROBLEM_FILE
"""
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

source, build, work, problem = (os.path.abspath(a) for a in sys.argv[1:5])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
# every command runs in an empty directory outside the source and build trees
outside = tempfile.mkdtemp(prefix="locus-package-test-")
atexit.register(shutil.rmtree, outside, True)
failures = []
base_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LOCUS_CLI")}
base_env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
PROBE = ("import json, sys, locus; h = locus.hessian(locus.load(sys.argv[1])); "
         "print(json.dumps({'version': locus.__version__, 'file': locus.__file__, "
         "'hessian': [[float(x) for x in row] for row in h]}))")


def run(cmd, env=None, cwd=outside, timeout=1800):
    r = subprocess.run(cmd, cwd=cwd, env=env or base_env, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        failures.append("{} (exit {}):\n{}{}".format(" ".join(cmd), r.returncode, r.stdout[-1500:], r.stderr[-1500:]))
    return r


def probe(python, env, label, installed_in=None):
    r = run([python, "-c", PROBE, problem], env=env)
    if r.returncode != 0:
        return None
    got = json.loads(r.stdout)
    if installed_in is not None and not got["file"].startswith(installed_in + os.sep):
        failures.append("{}: imported locus from {}, not from the installation in {}".format(
            label, got["file"], installed_in))
    return got


reference = probe(sys.executable, dict(base_env, PYTHONPATH=os.path.join(build, "python")), "build tree")
cli_version = subprocess.run([os.path.join(build, "cli", "locus"), "--version"], capture_output=True,
                             text=True).stdout.strip()


def compare(got, label):
    if got is None or reference is None:
        return
    if got["version"] != reference["version"]:
        failures.append("{}: version {} against the build tree's {}".format(label, got["version"], reference["version"]))
    if got["hessian"] != reference["hessian"]:
        failures.append("{}: the Hessian differs from the build tree's".format(label))


def check_command(path, label):
    r = run([path, "--version"])
    if r.returncode == 0 and r.stdout.strip() != cli_version:
        failures.append("{}: `locus --version` says {!r}, the build tree {!r}".format(label, r.stdout.strip(), cli_version))


# 1. cmake --install
prefix = os.path.join(work, "prefix")
run(["cmake", "--install", build, "--prefix", prefix])
site = [os.path.join(root) for root, dirs, files in os.walk(prefix)
        if os.path.basename(root) == "locus" and "__init__.py" in files]
if len(site) != 1:
    failures.append("cmake --install: expected one installed package locus under {}, found {}".format(prefix, site))
else:
    pyenv = dict(base_env, PYTHONPATH=os.path.dirname(site[0]))
    check_command(os.path.join(prefix, "bin", "locus"), "cmake --install: P/bin/locus")
    compare(probe(sys.executable, pyenv, "cmake --install", prefix), "cmake --install")
    r = run([sys.executable, "-m", "locus._cli", "--version"], env=pyenv)
    if r.returncode == 0 and r.stdout.strip() != cli_version:
        failures.append("cmake --install: the entry point runs another locus ({!r})".format(r.stdout.strip()))
    for sub in ("include/locus/locus.hpp", "bin/locus"):
        if not os.path.exists(os.path.join(prefix, sub)):
            failures.append("cmake --install: {} is missing".format(sub))
    if not any(f == "locusConfig.cmake" for _, _, files in os.walk(prefix) for f in files):
        failures.append("cmake --install: the CMake package (locusConfig.cmake) is missing")

# 2. pip install into a virtual environment with Debian's packages visible
venv = os.path.join(work, "venv")
run([sys.executable, "-m", "venv", "--system-site-packages", venv])
pip_env = dict(base_env, LOCUS_CMAKE_BUILD_DIR=build)
run([os.path.join(venv, "bin", "pip"), "install", "--no-build-isolation", "--no-deps", source], env=pip_env,
    cwd=outside)
if os.path.exists(os.path.join(venv, "bin", "locus")):
    check_command(os.path.join(venv, "bin", "locus"), "pip install: the locus entry point")
else:
    failures.append("pip install: no locus command in the environment")
compare(probe(os.path.join(venv, "bin", "python"), base_env, "pip install", venv), "pip install")

# 3. a wheel
wheels = os.path.join(work, "wheels")
have_build = subprocess.run([sys.executable, "-c", "import build"], capture_output=True).returncode == 0
if have_build:
    run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", wheels, source], env=pip_env)
else:
    run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-w", wheels, source],
        env=pip_env)
found = [f for f in os.listdir(wheels)] if os.path.isdir(wheels) else []
if len(found) != 1 or not found[0].endswith(".whl"):
    failures.append("wheel: expected one .whl in {}, found {}".format(wheels, found))
else:
    names = zipfile.ZipFile(os.path.join(wheels, found[0])).namelist()
    for need in ("locus/__init__.py", "locus/bin/locus"):
        if need not in names:
            failures.append("wheel {}: {} is missing".format(found[0], need))
    if not any(n.startswith("locus/_locus") and n.endswith(".so") for n in names):
        failures.append("wheel {}: the extension locus/_locus*.so is missing".format(found[0]))

print("installed by cmake --install, pip ({}), and a wheel ({})".format(
    "venv", "python3 -m build" if have_build else "pip wheel"))
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("all agree with the build tree")
