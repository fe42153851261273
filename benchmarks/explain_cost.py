"""Per-sample cost of each attribution method, on the cnn_digits example and a tabular model.

Trains the bundled ``cnn_digits`` and ``tabular_csv`` example projects briefly (``--epochs``),
rebuilds each run as ``compute_attributions`` does, and times
``workbench.explain.attribution_methods.Attributor`` on the same validation samples for every
method that fits the model, plus the SmoothGrad noise tunnel on saliency and integrated
gradients. Methods are measured side by side: each round times every method once, in turn, on
the same samples, and the median over rounds is reported, so drift in the machine's load hits
all methods alike. Ratios are against saliency (one backward pass) measured in the same rounds.

Usage::

    python benchmarks/explain_cost.py [--epochs 3] [--samples 16] [--rounds 3] [--steps 32]
                                      [--device cpu] [--threads 0]

Prints ``model=... method=... seconds_per_sample=... ratio_vs_saliency=...`` lines.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "resources" / "examples"


def train_example(name: str, epochs: int, folder: Path) -> str:
    """Train an example project for ``epochs`` epochs on the CPU; the run folder."""
    from workbench.experiment import RunRequest, execute_run
    from workbench.graph.spec import GraphSpec

    project = json.loads((EXAMPLES / f"{name}.wbproj.json").read_text())
    dataset = project["dataset"]
    if "path" in dataset.get("options", {}):
        dataset["options"]["path"] = str(EXAMPLES / dataset["options"]["path"])
    training = {**project["training"], "epochs": epochs, "device": "cpu"}
    training.pop("early_stopping", None)
    request = RunRequest.freeze(GraphSpec.from_dict(project["graph"]), dataset, training,
                                folder, name=name)
    return execute_run(request)["run_dir"]


def measure(run_dir: str, samples: int, rounds: int, steps: int, device: str
            ) -> dict[str, float]:
    """Median seconds per sample of each method (and noise-tunnel variant) on this run."""
    import torch

    from workbench.explain.attribution_methods import Attributor, predictions
    from workbench.explain.attributions import conv_layers, input_kind, methods_for
    from workbench.run_model import rebuild_run

    rebuilt = rebuild_run(run_dir, purpose="analysis", device=device)
    kind = input_kind(rebuilt)
    x = rebuilt.dataset.x_val[:samples]
    module = rebuilt.module
    targets = predictions(module.cpu(), x).argmax(1)
    module.to(device)
    convs = conv_layers(run_dir)
    variants = [(m, False) for m in methods_for(run_dir)] + [("saliency", True), ("ig", True)]
    attributors = {}
    for method, noise in variants:
        layer = module.node_module(convs[-1]) if method == "gradcam" else None
        attributors[(method, noise)] = Attributor(module, kind, method, layer_module=layer,
                                                  steps=steps, noise_tunnel=noise)
    inputs = [torch.as_tensor(x[i:i + 1], device=device) for i in range(len(x))]
    times: dict[tuple[str, bool], list[float]] = {v: [] for v in variants}
    for round_ in range(rounds + 1):  # round 0 warms up every method
        for variant, attributor in attributors.items():
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            started = time.perf_counter()
            for tensor, target in zip(inputs, targets):
                attributor(tensor, int(target))
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            if round_:
                times[variant].append((time.perf_counter() - started) / len(inputs))
    return {f"{m}+smoothgrad" if noise else m: statistics.median(t)
            for (m, noise), t in times.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=32)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=0,
                        help="torch CPU threads (0: torch's default)")
    args = parser.parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)

    print(f"torch={torch.__version__} threads={torch.get_num_threads()} device={args.device} "
          f"samples={args.samples} rounds={args.rounds} ig_steps={args.steps}")
    with tempfile.TemporaryDirectory() as folder:
        for example in ("cnn_digits", "tabular_csv"):
            run_dir = train_example(example, args.epochs, Path(folder))
            figures = measure(run_dir, args.samples, args.rounds, args.steps, args.device)
            base = figures["saliency"]
            for method, seconds in figures.items():
                print(f"model={example} method={method} seconds_per_sample={seconds:.6f} "
                      f"ratio_vs_saliency={seconds / base:.1f}")


if __name__ == "__main__":
    main()
