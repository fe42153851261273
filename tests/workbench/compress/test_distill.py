"""The distillation objective's parts: loss math, teacher outputs per row, hints, students."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from workbench.compress.distill import (
    DistillationObjective,
    TeacherOutputs,
    parse_hints,
    projection,
    soft_loss,
)
from workbench.compress.distill_run import gap_recovered
from workbench.compress.errors import CompressError
from workbench.compress.student import network_size, smaller_copy
from workbench.paths import find_example
from workbench.project import load_project
from workbench.train.objectives import objective_names


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def test_registered_with_the_objectives():
    assert "distillation" in objective_names()


def test_soft_loss_is_t_squared_kl_of_teacher_to_student():
    s = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    t = np.array([[3.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    T = 4.0
    p_t, p_s = _softmax(t / T), _softmax(s / T)
    expected = T * T * (p_t * (np.log(p_t) - np.log(p_s))).sum(1).mean()
    found = soft_loss(torch.tensor(s), torch.tensor(t), T)
    assert float(found) == pytest.approx(expected, rel=1e-5)


class _FixedTeacher:
    def __init__(self, logits: torch.Tensor) -> None:
        self.logits = logits

    def __call__(self, x: torch.Tensor) -> list[torch.Tensor]:
        return [self.logits]


def test_step_is_alpha_soft_plus_one_minus_alpha_hard_with_terms():
    torch.manual_seed(0)
    student = nn.Linear(4, 3)
    x, y = torch.randn(5, 4), torch.tensor([0, 1, 2, 1, 0])
    teacher_logits = torch.randn(5, 3)
    objective = DistillationObjective(nn.CrossEntropyLoss(), _FixedTeacher(teacher_logits),
                                      2.0, 0.7, [], 1.0, None, [])
    loss, outputs, terms = objective.step(student, x, y)
    s = student(x).detach().numpy().astype(np.float64)
    t = teacher_logits.numpy().astype(np.float64)
    p_t, p_s = _softmax(t / 2.0), _softmax(s / 2.0)
    soft = 4.0 * (p_t * (np.log(p_t) - np.log(p_s))).sum(1).mean()
    hard = -np.log(_softmax(s)[np.arange(5), y.numpy()]).mean()
    assert float(terms["soft"].detach()) == pytest.approx(soft, rel=1e-4)
    assert float(terms["hard"].detach()) == pytest.approx(hard, rel=1e-4)
    assert float(loss.detach()) == pytest.approx(0.7 * soft + 0.3 * hard, rel=1e-4)
    assert torch.equal(outputs, student(x))
    loss.backward()
    assert student.weight.grad is not None and student.weight.grad.abs().sum() > 0


def test_teacher_outputs_cached_per_row_found_again_in_any_order():
    torch.manual_seed(0)
    teacher = nn.Sequential(nn.Linear(6, 4)).eval()
    x_train = torch.randn(40, 6)
    cached = TeacherOutputs(teacher, [], x_train, cache=True)
    assert cached.x is not None
    idx = torch.randperm(40)[:16]
    out = cached(x_train[idx])[0]
    assert torch.allclose(out, teacher(x_train[idx]).detach())
    assert (cached.cached_rows, cached.computed_rows) == (16, 0)
    fresh = torch.randn(3, 6)  # rows that are not training rows: the teacher runs on them
    out = cached(torch.cat([x_train[:2], fresh]))[0]
    assert torch.allclose(out[2:], teacher(fresh).detach())
    assert (cached.cached_rows, cached.computed_rows) == (18, 3)
    per_batch = TeacherOutputs(teacher, [], x_train, cache=False)
    assert per_batch.x is None
    per_batch(x_train[:5])
    assert per_batch.computed_rows == 5


def test_row_keys_tell_rows_apart_that_differ_only_in_sign():
    teacher = nn.Linear(2, 2).eval()
    rows = torch.tensor([[1.0, 2.0], [-1.0, 2.0], [2.0, 1.0], [0.0, 0.0], [-0.0, 0.0]])
    keys = TeacherOutputs(teacher, [], rows, cache=False).row_keys(rows)
    assert len(set(keys.tolist())) == 5


def test_hints_parse_and_refuse():
    assert parse_hints(["fc1:h1", ["a", "b"]]) == [("fc1", "h1"), ("a", "b")]
    with pytest.raises(CompressError, match="pair"):
        parse_hints(["fc1"])
    with pytest.raises(CompressError, match="pair"):
        parse_hints([["a", 3]])


def test_hint_projection_by_shape():
    assert projection((8,), (8,), ("t", "s")) is None
    linear = projection((16,), (4,), ("t", "s"))
    assert isinstance(linear, nn.Linear) and linear.weight.shape == (16, 4)
    conv = projection((32, 4, 4), (8, 4, 4), ("t", "s"))
    assert isinstance(conv, nn.Conv2d) and conv.weight.shape == (32, 8, 1, 1)
    with pytest.raises(CompressError, match=r"teacher's t gives \(32, 4, 4\)"):
        projection((32, 4, 4), (8, 2, 2), ("t", "s"))


def test_hint_term_trains_the_projection():
    torch.manual_seed(0)
    proj = nn.ModuleDict({"hint0": nn.Linear(3, 5)})

    class Student(nn.Module):
        output_node = "out"

        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(4, 3)

        def forward_all(self, x):
            h = self.fc(x)
            return {"fc": h, "out": h}

    teacher = _FixedTeacher(torch.randn(6, 3))
    teacher_values = [teacher.logits, torch.randn(6, 5)]
    objective = DistillationObjective(nn.CrossEntropyLoss(), lambda x: teacher_values, 4.0,
                                      0.5, [("t", "fc")], 2.0, proj, [])
    student = Student()
    loss, _, terms = objective.step(student, torch.randn(6, 4), torch.zeros(6, dtype=torch.long))
    assert set(terms) == {"soft", "hard", "hint"}
    expected = 0.5 * terms["soft"] + 0.5 * terms["hard"] + 2.0 * terms["hint"]
    assert float(loss.detach()) == pytest.approx(float(expected.detach()))
    loss.backward()
    assert proj["hint0"].weight.grad.abs().sum() > 0
    assert set(objective.state_tensors()) == {"objective.hint0.weight", "objective.hint0.bias"}


def test_smaller_copy_scales_widths_but_keeps_the_head():
    graph = load_project(find_example("mlp_digits")).graph
    small = smaller_copy(graph, 0.25)
    widths = {n.id: n.params.get("out_features") for n in small.nodes if n.type == "Linear"}
    assert widths == {"fc1": 32, "fc2": 16, "fc3": 10}
    assert network_size(small)[0] < network_size(graph)[0] / 6
    with pytest.raises(CompressError, match="width factor"):
        smaller_copy(graph, 0.0)


def test_gap_recovered():
    assert gap_recovered(0.9, 0.8, 0.85) == pytest.approx(0.5)
    assert gap_recovered(0.8, 0.8, 0.85) is None
    assert gap_recovered(0.9, None, 0.85) is None
