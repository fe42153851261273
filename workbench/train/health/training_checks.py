"""Checks over the loss and score curves: NaN, overfitting, underfitting, learning rate, R²."""

from __future__ import annotations

import statistics
from typing import Any

from workbench.train.health.findings import Finding, History, is_regression, series

NAN_TITLE = "The loss became NaN/Inf"  # the trainer's live Diagnostic uses the same title
PREDICTING_MEAN_R2 = 0.05
SWING = 0.15  # mean relative epoch-to-epoch change of the training loss that is not noise
STEADY_EPOCHS = 5  # validation loss rising this long beside a falling training loss is
                   # overfitting whatever else the run shows


def check_nan(history: History, context: dict[str, Any]) -> list[Finding]:
    at = context.get("nan_at")
    if not at:
        return []
    lr = (context.get("config") or {}).get("lr")
    return [Finding(
        "nan", "error", NAN_TITLE,
        f"At epoch {at['epoch'] + 1}, batch {at['batch'] + 1}, the loss stopped being a number "
        f"and training was stopped. This almost always means updates that are too large.",
        f"Lower the learning rate (now {lr}), enable gradient clipping, and make sure the "
        f"inputs are normalized.",
        {"epochs": [at["epoch"] + 1, at["epoch"] + 1], "metrics": ["train_loss"]})]


def check_overfitting(history: History, context: dict[str, Any]) -> list[Finding]:
    """Validation loss rising for 3+ epochs after its minimum while training loss keeps falling
    and the gap between them widens with validation above training (a validation loss that
    stays below the training loss is not overfitting, however it moves).

    ``evidence["on_its_own"]`` marks overfitting the curves show whatever else happens: the
    validation loss has risen for :data:`STEADY_EPOCHS`+ epochs and the training loss fell
    steadily meanwhile (medians of the first and last thirds of that stretch, so a few spikes
    do not hide it). ``reconcile`` never folds such a finding into another cause.
    """
    val, train = series(history, "val_loss"), series(history, "train_loss")
    if len(val) < 5 or len(train) != len(val):
        return []
    best = min(range(len(val)), key=val.__getitem__)
    rising = len(val) - 1 - best
    if rising < 3 or train[-1] >= train[best] or val[-1] < val[best] * 1.05:
        return []
    gap_then, gap_now = val[best] - train[best], val[-1] - train[-1]
    if gap_now <= 0 or gap_now <= gap_then:
        return []
    config = context.get("config") or {}
    handled = bool(config.get("early_stopping")) and config.get("restore_best", True) \
        and config.get("monitor", "val_loss") == "val_loss"
    steady = overfits_on_its_own(train, val, best)
    return [Finding(
        "overfitting", "info" if handled else "warning",
        "Overfitting: the network is memorizing the training data",
        f"Validation loss was lowest at epoch {best + 1} ({val[best]:.3f}) and has risen for "
        f"{rising} epochs to {val[-1]:.3f}, while training loss kept falling "
        f"({train[best]:.3f} -> {train[-1]:.3f}). The gap between them grew from "
        f"{gap_then:.3f} to {gap_now:.3f}: what it learns now does not carry over to new data."
        + (f" Early stopping caught it: the run keeps epoch {best + 1}'s weights."
           if handled else ""),
        "Use early stopping (keep the best epoch's weights), add dropout or weight decay, "
        "use a smaller network, or get more training data.",
        {"epochs": [best + 1, len(val)], "metrics": ["train_loss", "val_loss"],
         "on_its_own": steady})]


def overfits_on_its_own(train: list[float], val: list[float], best: int) -> bool:
    """Validation loss up for STEADY_EPOCHS+ epochs since ``best`` while the training loss fell
    steadily: the median of the last third of that stretch 10% below that of its first third
    (for both curves, in opposite directions)."""
    rising = len(val) - 1 - best
    if rising < STEADY_EPOCHS:
        return False
    width = max(3, (rising + 1) // 3)
    train_then = statistics.median(train[best:best + width])
    train_now = statistics.median(train[-width:])
    val_now = statistics.median(val[-width:])
    return train_now < 0.9 * train_then and val_now > 1.1 * val[best]


def check_underfitting(history: History, context: dict[str, Any]) -> list[Finding]:
    """Training accuracy low and flat: the network cannot even fit the training data."""
    if is_regression(context):
        return []  # check_predicting_mean covers a regression run that learns nothing
    acc = series(history, "train_accuracy")
    k = int(context.get("num_classes") or 2)
    if len(acc) < 5:
        return []
    chance = 1.0 / k
    recent = acc[-3:]
    if max(recent) < chance + 0.6 * (1 - chance) and max(recent) - min(acc[-5:]) < 0.02:
        return [Finding(
            "underfitting", "warning", "Underfitting: training accuracy is low and flat",
            f"Training accuracy has stayed near {recent[-1]:.1%} for the last epochs (chance is "
            f"{chance:.1%}). The network is not fitting even the data it trains on.",
            "Train longer, raise the learning rate, use a larger network, or reduce "
            "regularization (dropout, weight decay, L1/L2).",
            {"epochs": [len(acc) - 4, len(acc)], "metrics": ["train_accuracy"],
             "value": recent[-1]})]
    return []


def check_predicting_mean(history: History, context: dict[str, Any]) -> list[Finding]:
    """Regression: validation R² never above 0.05, i.e. no better than answering the mean."""
    if not is_regression(context):
        return []
    r2 = series(history, "val_r2")
    if not r2 or max(r2) > PREDICTING_MEAN_R2:
        return []
    return [Finding(
        "predicting_mean", "warning", "The network predicts little more than the average",
        f"Validation R² is {r2[-1]:.3f} after {len(r2)} epoch(s) and never rose above "
        f"{max(r2):.3f}. R² is 1 for a perfect fit and 0 for always answering the mean of the "
        f"training targets: the network has not learned how the target depends on the inputs.",
        "Train longer or with a higher learning rate, check that the inputs carry information "
        "about the target (and are normalized), use a larger network, or reduce "
        "regularization.",
        {"epochs": [1, len(r2)], "metrics": ["val_r2"], "value": r2[-1]})]


def check_loss_spikes(history: History, context: dict[str, Any]) -> list[Finding]:
    """Training loss jumping above 3x its running median: the learning rate is too high."""
    loss = series(history, "train_loss")
    spikes = [i for i in range(3, len(loss))
              if loss[i] > 3 * statistics.median(loss[max(0, i - 5):i])]
    if not spikes:
        return []
    return [Finding(
        "loss_spikes", "warning", "Loss spikes: the learning rate looks too high",
        f"Training loss jumped to over 3x its recent level at epoch(s) "
        f"{', '.join(str(i + 1) for i in spikes[:5])}. Each spike undoes learning.",
        "Lower the learning rate (try 3-10x lower), add warm-up, or enable gradient clipping.",
        {"epochs": [spikes[0] + 1, spikes[-1] + 1], "metrics": ["train_loss"]})]


def check_learning_rate(history: History, context: dict[str, Any]) -> list[Finding]:
    """Loss creeping down (<1% per epoch over many epochs) or jumping around (noisy)."""
    loss = series(history, "train_loss")
    if len(loss) < 6:
        return []
    findings = []
    window = loss[-5:]
    change = (window[0] - window[-1]) / max(abs(window[0]), 1e-12)
    acc = [] if is_regression(context) else series(history, "train_accuracy")
    if 0 <= change < 0.01 and acc and acc[-1] < 0.95:
        findings.append(Finding(
            "lr_too_low", "info", "Progress is very slow: the learning rate may be too low",
            f"Training loss fell by only {change:.2%} over the last 5 epochs while training "
            f"accuracy is {acc[-1]:.1%}.",
            "Try a 3-10x higher learning rate, or a schedule with warm-up then cosine decay.",
            {"epochs": [len(loss) - 4, len(loss)], "metrics": ["train_loss"],
             "value": change}))
    ups = sum(1 for a, b in zip(loss[-6:], loss[-5:]) if b > a * 1.02)
    swing = statistics.mean(abs(b - a) / max(abs(a), 1e-12)
                            for a, b in zip(loss[-6:], loss[-5:]))
    stuck = swing >= SWING and loss[-1] >= 0.95 * loss[-6]
    worse = loss[-1] >= 1.2 * min(loss) and loss[-1] - min(loss) >= 0.1 * abs(loss[0])
    explained = _swings_explained(history, context) if ups >= 2 and (stuck or worse) else ""
    if ups >= 2 and (stuck or worse) and not explained:
        findings.append(Finding(
            "noisy_loss", "warning", "The training loss swings: the learning rate looks too high",
            f"Over the last 5 epochs the training loss moved {swing:.0%} per epoch on average "
            f"and went up {ups} times; it ends at {loss[-1]:.3f}, "
            + (f"above its best ({min(loss):.3f})" if worse else
               f"where it was 5 epochs ago ({loss[-6]:.3f})")
            + ": the updates overshoot instead of settling.",
            "Lower the learning rate (try 3-10x lower), or enable gradient clipping.",
            {"epochs": [len(loss) - 4, len(loss)], "metrics": ["train_loss"],
             "value": swing}))
    elif explained:
        findings.append(Finding(
            "noisy_loss", "info", "The training loss is noisy",
            f"Training loss went up in {ups} of the last 5 epochs, but {explained}, so this "
            f"is not a sign of a learning rate that is too high.",
            "Nothing needs to change; a larger batch size smooths the training curve.",
            {"epochs": [len(loss) - 4, len(loss)], "metrics": ["train_loss"]}))
    elif ups >= 3:
        findings.append(Finding(
            "noisy_loss", "info", "The training loss is noisy",
            f"Training loss went up in {ups} of the last 5 epochs. Updates are too noisy to "
            f"settle.",
            "Lower the learning rate or use a larger batch size.",
            {"epochs": [len(loss) - 4, len(loss)], "metrics": ["train_loss"]}))
    return findings


def _swings_explained(history: History, context: dict[str, Any]) -> str:
    """Why a swinging training loss is noise rather than overshooting ("" when nothing says so).

    The validation loss reaching a new best (2% better) in the last 5 epochs shows the updates
    still settle; Dropout layers make each epoch's training loss a noisy estimate by design.
    """
    val = series(history, "val_loss")
    if len(val) >= 6 and min(val[-5:]) < 0.98 * min(val[:-5]):
        return "the validation loss is still improving (a new best in the last 5 epochs)"
    dropout = [name for name, kind in (context.get("layer_types") or {}).items()
               if kind == "Dropout"]
    if dropout:
        return (f"the network has Dropout ({', '.join(dropout)}), which drops units at random "
                f"while training and makes the training loss swing")
    return ""
