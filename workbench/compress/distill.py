"""Knowledge distillation as a training objective (registered as ``"distillation"``).

The student minimizes ``alpha * T^2 * KL(softmax(t/T) || softmax(s/T)) + (1 - alpha) * task
loss(s, y)`` (Hinton et al. 2015; ``t`` the teacher's logits, ``s`` the student's) plus, with
FitNets hints (Romero et al. 2015), ``hint_weight * mean over pairs of MSE(proj(s_node),
t_node)``. The projections (``nn.Linear`` for feature vectors, a 1x1 ``Conv1d``/``Conv2d`` for
channel maps, none when the shapes already agree) are the objective's own module: trained in
their own optimizer group and checkpointed under ``objective.`` keys. Terms logged per epoch:
``loss_soft`` (T^2 * KL, before alpha), ``loss_hard`` (task loss) and ``loss_hint``.

The teacher is the run named by ``teacher_run``, rebuilt with ``workbench.run_model`` (best
weights), in eval mode, frozen, never part of the objective's module. The trainer's batches
are rows of fixed tensors (no augmentation), but an objective sees only ``(x, y)``, not the
rows' indices; so the teacher's outputs on the whole training split are computed once (when
they fit in ``CACHE_BYTES``) and each batch row is found again by an exact 62-bit hash of its
values, checked against the stored row; a row that is not found (or any row, with
``cache_teacher`` false) is run through the teacher.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.compress.errors import CompressError
from workbench.train.objectives import Objective, objective_options, penalty, register_objective
from workbench.train.objectives import task_loss as _task_loss

OPTIONS: dict[str, Any] = {"teacher_run": "", "temperature": 4.0, "alpha": 0.7, "hints": [],
                           "hint_weight": 1.0, "cache_teacher": True}
CACHE_BYTES = 512 * 2**20  # teacher outputs + training inputs kept on the device at most
_PRIME = 2_147_483_647  # 2^31 - 1: the row hash works modulo this prime, in int64


def soft_loss(student_logits: Any, teacher_logits: Any, temperature: float) -> Any:
    """``T^2 * KL(softmax(t/T) || softmax(s/T))``, averaged over the batch."""
    import torch.nn.functional as F

    t = float(temperature)
    log_s = F.log_softmax(student_logits.float() / t, dim=1)
    log_t = F.log_softmax(teacher_logits.float() / t, dim=1)
    return F.kl_div(log_s, log_t, reduction="batchmean", log_target=True) * (t * t)


def parse_hints(hints: Any) -> list[tuple[str, str]]:
    """``[[teacher_node, student_node], ...]`` (or ``"t:s"`` texts) as pairs; CompressError
    naming what was found otherwise."""
    pairs = []
    for item in hints or []:
        if isinstance(item, str) and item.count(":") == 1:
            item = item.split(":")
        if not (isinstance(item, (list, tuple)) and len(item) == 2
                and all(isinstance(n, str) and n for n in item)):
            raise CompressError(f"a hint must be a pair [teacher_node, student_node] (or "
                                f"'teacher_node:student_node'), found {item!r}")
        pairs.append((item[0], item[1]))
    return pairs


class TeacherOutputs:
    """The teacher's logits (and hint features) for batches of the training inputs.

    ``cache``: computed once for the whole training split, looked up per row by hash; else
    the teacher runs on every batch. ``cached_rows`` / ``computed_rows`` count how each batch
    row was served (what the benchmark reports)."""

    def __init__(self, teacher: Any, nodes: list[str], x_train: Any, cache: bool) -> None:
        import torch

        self.teacher, self.nodes = teacher, nodes
        self.cached_rows = self.computed_rows = 0
        self.x: Any = None
        generator = torch.Generator().manual_seed(20150309)
        width = int(x_train[0].numel()) if len(x_train) else 1
        self.coeffs = torch.randint(1, _PRIME, (2, width), generator=generator,
                                    dtype=torch.int64).to(x_train.device)
        if cache and len(x_train) and self._cache_bytes(x_train) <= CACHE_BYTES:
            self.x = x_train
            outputs = [self.run(x_train[i:i + 512]) for i in range(0, len(x_train), 512)]
            self.values = [torch.cat([o[k] for o in outputs]) for k in range(len(outputs[0]))]
            keys = self.row_keys(x_train)
            self.keys, self.order = torch.sort(keys)

    def _cache_bytes(self, x_train: Any) -> int:
        probe = self.run(x_train[:1])
        per_row = sum(v.numel() * v.element_size() for v in probe)
        return len(x_train) * (per_row + x_train[0].numel() * x_train.element_size() + 16)

    def run(self, x: Any) -> list[Any]:
        """[logits, hint features...] of the teacher for ``x``, without gradients."""
        import torch

        with torch.no_grad():
            if self.nodes:
                values = self.teacher.forward_all(x)
                return [values[self.teacher.output_node].float()] + [
                    values[n].float() for n in self.nodes]
            return [self.teacher(x).float()]

    def row_keys(self, x: Any) -> Any:
        """A 62-bit hash of each row's exact values (two independent linear hashes mod p)."""
        import torch

        flat = x.reshape(len(x), -1)
        if flat.is_floating_point():
            ints = {8: torch.int64, 4: torch.int32, 2: torch.int16}[flat.element_size()]
            flat = flat.contiguous().view(ints)
        v = torch.remainder(flat.to(torch.int64), _PRIME)
        h1 = torch.remainder(v * self.coeffs[0], _PRIME).sum(1) % _PRIME
        h2 = torch.remainder(v * self.coeffs[1], _PRIME).sum(1) % _PRIME
        return h1 * _PRIME + h2

    def __call__(self, x: Any) -> list[Any]:
        import torch

        if self.x is None:
            self.computed_rows += len(x)
            return self.run(x)
        keys = self.row_keys(x)
        pos = torch.searchsorted(self.keys, keys).clamp(max=len(self.keys) - 1)
        rows = self.order[pos]
        flat = x.reshape(len(x), -1)
        found = (self.keys[pos] == keys) & (self.x[rows].reshape(len(x), -1) == flat).all(1)
        out = [v[rows] for v in self.values]
        if not bool(found.all()):
            missing = (~found).nonzero().flatten()
            fresh = self.run(x[missing])
            for value, new in zip(out, fresh):
                value[missing] = new
            self.computed_rows += len(missing)
        self.cached_rows += int(found.sum())
        return out


class DistillationObjective(Objective):
    """Soft (teacher) + hard (labels) loss, plus FitNets hints through owned projections."""

    name = "distillation"

    def __init__(self, loss_fn: Any, teacher: TeacherOutputs, temperature: float, alpha: float,
                 hints: list[tuple[str, str]], hint_weight: float, projections: Any,
                 weights: list[Any], l1: float = 0.0, l2: float = 0.0) -> None:
        super().__init__(loss_fn, projections)
        self.teacher, self.temperature, self.alpha = teacher, temperature, alpha
        self.hints, self.hint_weight = hints, hint_weight
        self.weights, self.l1, self.l2 = weights, l1, l2

    def step(self, model: Any, x: Any, y: Any) -> tuple[Any, Any, dict[str, Any]]:
        teacher = self.teacher(x)
        if self.hints:
            values = model.forward_all(x)
            outputs = values[model.output_node]
        else:
            outputs = model(x)
        soft = soft_loss(outputs, teacher[0], self.temperature)
        hard = self.loss_fn(outputs, y)
        loss = self.alpha * soft + (1.0 - self.alpha) * hard
        terms = {"soft": soft, "hard": hard}
        if self.hints:
            hint = sum(self._hint(i, values[s], t)
                       for i, ((_, s), t) in enumerate(zip(self.hints, teacher[1:])))
            terms["hint"] = hint / len(self.hints)
            loss = loss + self.hint_weight * terms["hint"]
        if self.l1 or self.l2:
            loss = loss + penalty(self.weights, self.l1, self.l2)
        return loss, outputs, terms

    def _hint(self, index: int, student: Any, teacher: Any) -> Any:
        import torch.nn.functional as F

        key = f"hint{index}"
        if self.module is not None and key in self.module:
            student = self.module[key](student)
        return F.mse_loss(student.float(), teacher)


def projection(teacher_shape: tuple[int, ...], student_shape: tuple[int, ...],
               pair: tuple[str, str]) -> Any:
    """The learned map from the student's feature shape to the teacher's: None when equal,
    Linear for vectors, a 1x1 convolution for channel maps of equal spatial size."""
    from torch import nn

    if teacher_shape == student_shape:
        return None
    if len(teacher_shape) == 1 and len(student_shape) == 1:
        return nn.Linear(student_shape[0], teacher_shape[0])
    if len(teacher_shape) in (2, 3) and len(teacher_shape) == len(student_shape) \
            and teacher_shape[1:] == student_shape[1:]:
        conv = nn.Conv1d if len(teacher_shape) == 2 else nn.Conv2d
        return conv(student_shape[0], teacher_shape[0], kernel_size=1)
    raise CompressError(f"hint {pair[0]}:{pair[1]}: the teacher's {pair[0]} gives "
                        f"{teacher_shape}, the student's {pair[1]} gives {student_shape}; "
                        f"expected equal shapes, vectors, or channel maps of the same size")


def load_teacher(teacher_run: str, device: str) -> Any:
    """The teacher run's module (best weights, eval mode, frozen) on ``device``."""
    from workbench.run_model import rebuild_run

    if not teacher_run:
        raise CompressError("objective 'distillation' needs option teacher_run (the teacher's "
                            "run folder); found none")
    if not (Path(teacher_run) / "config.json").is_file():
        raise CompressError(f"teacher_run must be a run folder with config.json, found "
                            f"{teacher_run!r}")
    module = rebuild_run(teacher_run, data=False, device=device).module
    for p in module.parameters():
        p.requires_grad_(False)
    return module.eval()


def check_teacher_fits(teacher: Any, dataset: Any, where: str = "the student's data") -> None:
    """CompressError naming both when the teacher's inputs or classes differ from the data's."""
    found = tuple(int(d) for d in dataset.input_shape)
    if tuple(teacher.input_shape) != found:
        raise CompressError(f"the teacher takes inputs of shape {tuple(teacher.input_shape)}, "
                            f"{where} have shape {found}")
    if getattr(dataset, "task", "classification") != "classification":
        raise CompressError(f"distillation needs a classification task, {where} are a "
                            f"{dataset.task} task")
    classes = int(teacher.spec.node(teacher.output_node).params.get("num_classes") or 0)
    if classes != int(dataset.num_classes):
        raise CompressError(f"the teacher predicts {classes} classes, {where} have "
                            f"{dataset.num_classes}")


def _hint_projections(teacher: Any, model: Any, x: Any,
                      hints: list[tuple[str, str]]) -> Any:
    import torch
    from torch import nn

    for label, net, node in [(n, m, p[i]) for p in hints
                             for i, (n, m) in enumerate((("teacher", teacher),
                                                         ("student", model)))]:
        if not hasattr(net, "forward_all") or node not in net.node_names:
            known = ", ".join(getattr(net, "node_names", {})) or "none"
            raise CompressError(f"hint: the {label} has no node {node!r} (nodes: {known})")
    was_training = model.training
    model.eval()  # no BatchNorm statistics moved, no dropout drawn
    with torch.no_grad():
        t_values, s_values = teacher.forward_all(x), model.forward_all(x)
    model.train(was_training)
    projections = nn.ModuleDict()
    for i, pair in enumerate(hints):
        proj = projection(tuple(t_values[pair[0]].shape[1:]), tuple(s_values[pair[1]].shape[1:]),
                          pair)
        if proj is not None:
            projections[f"hint{i}"] = proj
    return projections if len(projections) else None


def _distillation(config: Any, dataset: Any, model: Any, device: str) -> Objective:
    import torch

    options = objective_options(config)
    temperature, alpha = float(options["temperature"]), float(options["alpha"])
    if temperature <= 0 or not 0.0 <= alpha <= 1.0:
        raise CompressError(f"distillation needs temperature > 0 and 0 <= alpha <= 1, found "
                            f"temperature {temperature}, alpha {alpha}")
    hints = parse_hints(options["hints"])
    teacher = load_teacher(str(options["teacher_run"]), device)
    check_teacher_fits(teacher, dataset)
    x_train = torch.as_tensor(dataset.x_train).to(device)
    projections = _hint_projections(teacher, model, x_train[:2], hints) if hints else None
    outputs = TeacherOutputs(teacher, [t for t, _ in hints], x_train,
                             bool(options["cache_teacher"]))
    weights = [p for p in model.parameters() if p.dim() > 1]
    return DistillationObjective(_task_loss(config, dataset), outputs, temperature, alpha,
                                 hints, float(options["hint_weight"]), projections, weights,
                                 config.l1, config.l2)


register_objective(
    "distillation", _distillation, options=OPTIONS,
    help="learn from a teacher run: alpha*T^2*KL(teacher/T || student/T) + (1-alpha)*task "
         "loss, plus optional FitNets hints (teacher_run, temperature, alpha, hints, "
         "hint_weight, cache_teacher)")
