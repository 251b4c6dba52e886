"""PyTorch interop: the imported problem is the same function as the original (Hessian to 1e-14
relative against torch.autograd.functional.hessian in float64, for every activation, each loss,
mixed activations, per-layer biases and weight decay), every weight exact, unsupported layers
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
    def case(self, model, x, y, loss_fn, name, weight_decay=0.0, tol=1e-14):
        p = locus.pytorch.from_sequential(model, x, y, loss_fn, weight_decay=weight_decay)
        h_torch, l_torch = locus.pytorch.torch_hessian(model, x, y, loss_fn,
                                                       weight_decay=weight_decay)
        perm = locus.pytorch.parameter_indices(p, model)
        h_locus = locus.hessian(p)[np.ix_(perm, perm)]
        scale = np.abs(h_torch).max()
        err = np.abs(h_locus - h_torch).max() / scale
        with self.subTest(case=name):
            self.assertLessEqual(err, tol, f"{name}: relative Hessian difference {err:.2e}")
            self.assertAlmostEqual(locus.loss(p), l_torch, delta=tol * abs(l_torch))
        print(f"  {name}: P = {p.num_parameters}, relative Hessian difference {err:.1e}")
        return p, err

    def test_hessians_agree_to_1e_14(self):
        torch.manual_seed(0)
        x = torch.randn(12, 3)
        y = torch.randn(12, 2)
        labels = torch.randint(0, 3, (12,))
        # Probability rows summing to exactly 1 in binary (locus's cross-entropy needs that).
        probs = torch.tensor([[0.5, 0.25, 0.25], [0.125, 0.375, 0.5], [1.0, 0.0, 0.0]] * 4)
        b1 = torch.randint(0, 2, (12, 1)).double()
        b3 = torch.rand(12, 3)  # soft binary targets in [0, 1]

        def net(act, out=2, bias=True):
            return nn.Sequential(nn.Linear(3, 4, bias=bias), act, nn.Linear(4, out, bias=bias))

        cases = [
            ("sigmoid MSE mean", net(nn.Sigmoid()), y, nn.MSELoss()),
            ("tanh 2 hidden MSE sum", nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 3),
                                                    nn.Tanh(), nn.Linear(3, 2)), y,
             nn.MSELoss(reduction="sum")),
            ("softplus no bias MSE", nn.Sequential(nn.Linear(3, 5, bias=False), nn.Softplus(),
                                                   nn.Linear(5, 2, bias=False)), y, nn.MSELoss()),
            ("softplus beta=2", net(nn.Softplus(beta=2)), y, nn.MSELoss()),
            ("sigmoid CE class indices", net(nn.Sigmoid(), 3), labels, nn.CrossEntropyLoss()),
            ("tanh CE probabilities sum", net(nn.Tanh(), 3), probs,
             nn.CrossEntropyLoss(reduction="sum")),
            ("relu MSE", nn.Sequential(nn.Linear(3, 6), nn.ReLU(), nn.Linear(6, 2)), y,
             nn.MSELoss()),
            ("one output", net(nn.Sigmoid(), 1), y[:, :1], nn.MSELoss()),
            ("gelu MSE", net(nn.GELU()), y, nn.MSELoss()),
            ("gelu tanh MSE", net(nn.GELU(approximate="tanh")), y, nn.MSELoss()),
            ("silu CE", net(nn.SiLU(), 3), labels, nn.CrossEntropyLoss()),
            ("leaky relu 0.01 MSE", net(nn.LeakyReLU()), y, nn.MSELoss()),
            ("leaky relu 0.2 MSE", net(nn.LeakyReLU(0.2)), y, nn.MSELoss()),
            ("elu MSE", net(nn.ELU()), y, nn.MSELoss()),
            ("elu alpha=0.5 MSE", net(nn.ELU(alpha=0.5)), y, nn.MSELoss()),
            ("BCE with logits, one output", net(nn.Tanh(), 1), b1, nn.BCEWithLogitsLoss()),
            ("BCE with logits, 3 outputs, sum", net(nn.GELU(), 3), b3,
             nn.BCEWithLogitsLoss(reduction="sum")),
            ("final Sigmoid + BCELoss", nn.Sequential(nn.Linear(3, 4), nn.Tanh(),
                                                      nn.Linear(4, 1), nn.Sigmoid()), b1,
             nn.BCELoss()),
            ("LogSoftmax + NLLLoss", nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 3),
                                                   nn.LogSoftmax(dim=1)), labels, nn.NLLLoss()),
            ("mixed sigmoid, tanh", nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 3),
                                                  nn.Tanh(), nn.Linear(3, 2)), y, nn.MSELoss()),
            ("mixed gelu, none, silu; biases 1,0,1,0", nn.Sequential(
                nn.Flatten(), nn.Linear(3, 4), nn.GELU(), nn.Linear(4, 3, bias=False),
                nn.Linear(3, 3), nn.Identity(), nn.SiLU(), nn.Linear(3, 2, bias=False)), y,
             nn.MSELoss()),
        ]
        for name, model, targets, loss_fn in cases:
            # torch's BCELoss takes log(1 - σ(f)) of a rounded σ(f), losing digits where σ(f) is
            # near 1 (BCEWithLogitsLoss does not): the same function, computed less accurately.
            tol = 1e-10 if isinstance(loss_fn, nn.BCELoss) else 1e-14
            p, _ = self.case(model.double(), x.double(), targets.double()
                             if targets.is_floating_point() else targets, loss_fn, name, tol=tol)
            self.assertEqual(p.num_parameters, sum(q.numel() for q in model.parameters()))
        mixed = cases[-1][1]
        p = locus.pytorch.from_sequential(mixed, x, y)
        self.assertEqual(p.activation, ["gelu", "identity", "silu"])
        self.assertEqual(p.bias, [True, False, True, False])

    def test_weight_decay_enters_exactly(self):
        torch.manual_seed(3)
        x, y = torch.randn(10, 3).double(), torch.randn(10, 2).double()
        model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
        for wd in (1e-4, 0.05):
            p, _ = self.case(model, x, y, nn.MSELoss(), f"tanh MSE weight_decay={wd}", wd)
            self.assertEqual(Fraction(p.l2), Fraction(wd) / 2)
            self.assertEqual(p.l2_scope, "all")
        # SGD's step: the gradient torch uses is ∇loss + wd·θ; locus's gradient is that gradient.
        wd = 0.05
        p = locus.pytorch.from_sequential(model, x, y, nn.MSELoss(), weight_decay=wd)
        model.zero_grad()
        nn.MSELoss()(model(x), y).backward()
        torch_grad = np.concatenate([(q.grad + wd * q).detach().numpy().ravel()
                                     for q in model.parameters()])
        perm = locus.pytorch.parameter_indices(p, model)
        g = locus.gradient(p)[perm]
        self.assertLessEqual(np.abs(g - torch_grad).max(), 1e-15 * np.abs(torch_grad).max() * 10)
        with self.assertRaises(ValueError):
            locus.pytorch.from_sequential(model, x, y, nn.MSELoss(), weight_decay=-1)

    def test_certify_a_trained_model(self):
        # A few Adam steps leave ‖∇L‖ ~ 1e-2; the flow, Newton and Krawczyk take it to a proved
        # critical point with a certified kind.
        torch.manual_seed(4)
        x = torch.randn(40, 3, dtype=torch.float64)
        y = torch.randint(0, 3, (40,))
        model = nn.Sequential(nn.Linear(3, 4), nn.GELU(), nn.Linear(4, 3)).double()
        opt = torch.optim.Adam(model.parameters(), lr=0.02, weight_decay=1e-2)
        for _ in range(100):
            opt.zero_grad()
            nn.CrossEntropyLoss()(model(x), y).backward()
            opt.step()
        point, report = locus.pytorch.certify(model, x, y, nn.CrossEntropyLoss(),
                                              weight_decay=1e-2, max_seconds=30)
        print(f"  certify: {report['verdict']} in {report['seconds']} s")
        self.assertTrue(report["critical_point_proved"])
        self.assertTrue(report["classify"]["certified"])
        self.assertGreater(report["flow"]["start"]["gradient_norm"], 1e-4)
        self.assertIsNotNone(point)
        self.assertLess(report["loss_change"], 0)

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
            (nn.Sequential(nn.Linear(2, 3), nn.Mish(), nn.Linear(3, 1)), "Mish"),
            (nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Sigmoid(), nn.Linear(3, 1)),
             "without a Linear layer between them"),
            (nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1), nn.Tanh()),
             "output layer is affine"),
            (nn.Sequential(nn.Tanh(), nn.Linear(2, 1)), "does not follow a Linear layer"),
            (nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1), nn.Sigmoid()),
             "folds into the loss only with BCELoss"),
            (nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1), nn.Softmax(dim=1)),
             "Softmax output"),
            (nn.Sequential(nn.Flatten(0), nn.Linear(2, 1)), "only Flatten(1, -1)"),
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
        # BCE targets must lie in [0, 1]; BCELoss needs a final Sigmoid.
        with self.assertRaises(ValueError) as e:
            locus.pytorch.from_sequential(ok, x, y * 0 + 1.5, nn.BCEWithLogitsLoss())
        self.assertIn("[0, 1]", str(e.exception))
        with self.assertRaises(ValueError) as e:
            locus.pytorch.from_sequential(ok, x, y * 0, nn.BCELoss())
        self.assertIn("needs the model to end in Sigmoid", str(e.exception))


if __name__ == "__main__":
    unittest.main()
