"""The PyTorch example (examples/python/pytorch_certify.py) runs and certifies what it claims."""

import os
import subprocess
import sys
import unittest

SRC = os.environ.get("LOCUS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))

try:
    import torch  # noqa: F401
except ImportError:  # pragma: no cover
    torch = None


@unittest.skipIf(torch is None, "PyTorch is not installed")
class Example(unittest.TestCase):
    def test_pytorch_certify(self):
        r = subprocess.run([sys.executable, os.path.join(SRC, "examples/python/pytorch_certify.py")],
                           capture_output=True, text=True, timeout=600, env=os.environ.copy())
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        out = r.stdout
        a, b = out.split("== B")
        self.assertIn("locus classify: strict-minimum (certified, ball:256), inertia (n+, n-, n0) = "
                      "(9, 0, 0)", a)
        self.assertIn("a true critical point exists within max-norm", a)
        # The refined symmetric point is only ε-stationary (its copies are not exactly equal, and a
        # degenerate point cannot be isolated): the saddle is evidence, the cluster has one element.
        self.assertIn("locus classify: saddle (evidence, ball:256, epsilon-stationary)", b)
        self.assertIn("1 eigenvalue(s) in |λ| <=", b)
        self.assertIn("1 eigenvalue(s) of undetermined sign", b)


if __name__ == "__main__":
    unittest.main()
