"""PyTorch interop: the imported problem is the same function as the original (Hessian to 1e-12
relative against torch.autograd.functional.hessian), every weight exact, unsupported layers
refused by name."""

import unittest
from fractions import Fraction

import numpy as np

import locus
import locus.pytorch

try:
    import torch
    import torch.nn as nn
except ImportError:  # pragma: no cover
    torch = None


@unittest.skipIf(torch is None, "PyTorch is not installed")
class RoundTrip(unittest.TestCase):
    def case(self, model, x, y, loss_fn, name):
        p = locus.pytorch.from_sequential(model, x, y, loss_fn)
        h_torch, l_torch = locus.pytorch.torch_hessian(model, x, y, loss_fn)
        perm = locus.pytorch.parameter_indices(p, model)
        h_locus = locus.hessian(p)[np.ix_(perm, perm)]
        scale = np.abs(h_torch).max()
        err = np.abs(h_locus - h_torch).max() / scale
        with self.subTest(case=name):
            self.assertLessEqual(err, 1e-12, f"{name}: relative Hessian difference {err:.2e}")
            self.assertAlmostEqual(locus.loss(p), l_torch, delta=1e-13 * abs(l_torch))
        print(f"  {name}: P = {p.num_parameters}, relative Hessian difference {err:.1e}")
        return p, err

    def test_hessians_agree_to_1e_12(self):
        torch.manual_seed(0)
        x = torch.randn(12, 3)
        y = torch.randn(12, 2)
        labels = torch.randint(0, 3, (12,))
        # Probability rows summing to exactly 1 in binary (locus's cross-entropy needs that).
        probs = torch.tensor([[0.5, 0.25, 0.25], [0.125, 0.375, 0.5], [1.0, 0.0, 0.0]] * 4)
        cases = [
            ("sigmoid MSE mean", nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 2)),
             y, nn.MSELoss()),
            ("tanh 2 hidden MSE sum", nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 3),
                                                    nn.Tanh(), nn.Linear(3, 2)), y,
             nn.MSELoss(reduction="sum")),
            ("softplus no bias MSE", nn.Sequential(nn.Linear(3, 5, bias=False), nn.Softplus(),
                                                   nn.Linear(5, 2, bias=False)), y, nn.MSELoss()),
            ("sigmoid CE class indices", nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(),
                                                       nn.Linear(4, 3)), labels,
             nn.CrossEntropyLoss()),
            ("tanh CE probabilities sum", nn.Sequential(nn.Linear(3, 4), nn.Tanh(),
                                                        nn.Linear(4, 3)), probs,
             nn.CrossEntropyLoss(reduction="sum")),
            ("relu MSE", nn.Sequential(nn.Linear(3, 6), nn.ReLU(), nn.Linear(6, 2)), y,
             nn.MSELoss()),
            ("one output", nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1)),
             y[:, :1], nn.MSELoss()),
        ]
        for name, model, targets, loss_fn in cases:
            p, _ = self.case(model, x, targets, loss_fn, name)
            self.assertEqual(p.num_parameters, sum(q.numel() for q in model.parameters()))

    def test_every_weight_is_exact(self):
        torch.manual_seed(1)
        model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
        with torch.no_grad():
            model[0].weight[0, 0] = 0.1  # float32(0.1) != 1/10
        x = torch.randn(4, 2)
        p = locus.pytorch.from_sequential(model, x, torch.randn(4, 1))
        w = p.point_exact[p.weight_index(1, 0, 0)]
        self.assertEqual(w, Fraction(float(torch.tensor(0.1, dtype=torch.float32))))
        self.assertNotEqual(w, Fraction(1, 10))
        self.assertEqual(p.inputs_exact[1][1], Fraction(float(x[1, 1])))
        self.assertEqual(p.loss_scale, "2")  # MSELoss mean over 1 output: 2/n_L
        # The inverse map gives back the model's parameters.
        params = locus.pytorch.parameters_of(p, model)
        for n, q in model.named_parameters():
            np.testing.assert_array_equal(params[n].numpy(), q.detach().double().numpy())

    def test_unsupported_layers_are_refused_by_name(self):
        bad = [
            (nn.Sequential(nn.Linear(2, 3), nn.Dropout(), nn.Linear(3, 1)), "Dropout"),
            (nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 1)), "BatchNorm1d"),
            (nn.Sequential(nn.Linear(2, 3), nn.GELU(), nn.Linear(3, 1)), "GELU"),
            (nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 3), nn.Sigmoid(),
                           nn.Linear(3, 1)), "one activation"),
            (nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1), nn.Tanh()),
             "output layer is linear"),
            (nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1)), "without an activation"),
            (nn.Sequential(nn.Linear(2, 3), nn.Softplus(beta=2), nn.Linear(3, 1)), "beta"),
            (nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1, bias=False)), "all or none"),
        ]
        x, y = torch.randn(4, 2), torch.randn(4, 1)
        for model, text in bad:
            with self.subTest(text=text):
                with self.assertRaises(ValueError) as e:
                    locus.pytorch.from_sequential(model, x, y)
                self.assertIn(text, str(e.exception))
        ok = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
        with self.assertRaises(ValueError) as e:
            locus.pytorch.from_sequential(ok, x, y, nn.L1Loss())
        self.assertIn("L1Loss", str(e.exception))
        with self.assertRaises(ValueError) as e:
            locus.pytorch.from_sequential(ok, torch.randn(4, 5), y)
        self.assertIn("expected (N, 2)", str(e.exception))
        with self.assertRaises(ValueError):
            locus.pytorch.from_sequential(nn.Linear(2, 1), x, y)
        # A vector of targets against (N, 1) outputs: torch's MSELoss broadcasts to N x N pairs,
        # a different function; refused rather than silently reshaped.
        with self.assertRaises(ValueError) as e:
            locus.pytorch.from_sequential(ok, x, y[:, 0])
        self.assertIn("broadcast", str(e.exception))
        # Soft targets that do not sum to exactly 1 are not a probability vector for locus.
        ce = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 3))
        with self.assertRaises(locus.ParseError) as e:
            locus.pytorch.from_sequential(ce, x, torch.softmax(torch.randn(4, 3), dim=1),
                                          nn.CrossEntropyLoss())
        self.assertIn("probability vector", str(e.exception))


if __name__ == "__main__":
    unittest.main()
