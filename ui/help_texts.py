"""The words of the Help menu's panel guide: one short entry per panel and per Health finding.

Wording follows the controls as they are labelled in the app (Train, the Training panel's
settings by their labels, the Dashboard's plot titles). Kept apart from ``ui/help.py`` so the
text can be edited without touching code.
"""

from __future__ import annotations

# key -> (panel title as the app shows it, HTML body)
PANEL_GUIDES: dict[str, tuple[str, str]] = {
    "canvas": ("Canvas", """
<p>The network, drawn as layers and wires. Each layer is a box: its name and type on top, its
main settings and output shape below. <b>Input ports</b> are the dots on the left edge,
<b>output ports</b> on the right.</p>
<ul><li>Add a layer: drag it from the <b>Layers</b> palette, or double-click it there.</li>
<li>Wire two layers: drag from an output port to an input port. The wire's label is the tensor
shape it carries (without the batch).</li>
<li>Select with a click or a rubber band; Delete removes, Ctrl+D duplicates, Ctrl+Z undoes.</li>
<li>A red border means the layer has a problem; the <b>Problems</b> panel says which.</li>
<li>View &gt; Zoom to Fit (Ctrl+0) and Auto-arrange (Ctrl+L) tidy up.</li></ul>"""),
    "palette": ("Layers", """
<p>Every layer type by category. Hover a layer to read what it does. Drag it onto the canvas
or double-click it. Colours match the boxes on the canvas: blue input/output, green core
(Linear), orange convolution, teal activations, purple normalization, grey merges (Add,
Concat).</p>"""),
    "inspector": ("Inspector", """
<p>The settings of the selected layer. Each field's tooltip explains it; a value out of range
is refused with the reason. Changes are undoable.</p>
<p><b>Freeze (do not train)</b>, for layers with weights: the optimizer leaves this layer's
weights as they are (a frozen BatchNorm also keeps its statistics). The layer gets a lock on
the canvas. Freeze the early layers of a network started from a run's weights
(<i>Train &gt; Fine-tune from Run…</i>) and train only the rest; deleting a layer also takes
it off the frozen list. Undo (Ctrl+Z) unfreezes.</p>"""),
    "problems": ("Problems", """
<p>Everything that stops the network from training, named by layer: a wire that does not fit
("Linear 'fc2' expects 128 input features, receives 64"), a missing connection, a layer that
does not reach the Output (a warning). Click a problem to jump to the layer. Train
refuses a network with errors.</p>"""),
    "summary": ("Summary", """
<p>One row per layer: output shape, parameters (weights to learn) and multiply-accumulates
per sample (a measure of compute). Totals at the bottom count only layers that reach the
Output.</p>"""),
    "dataset_options": ("Classes and Training Share", """
<p>Train on part of a classification dataset: <i>Data &gt; Classes and Training Share…</i>, or
the button beside the toolbar's <b>Dataset</b> selector (it names what is kept, e.g.
<i>5 classes, 10% train</i>).</p>
<ul><li><b>Classes</b>: check the classes to keep. They are relabelled 0, 1, … in the order
listed; drag a class to reorder. All checked keeps the whole dataset. The Output's number of
classes follows.</li>
<li><b>Training share</b>: a stratified, seeded share of the <i>training</i> split (at least
one sample per class); validation and test keep all their samples, so runs with different
shares are judged on the same data.</li></ul>
<p>The line below says what loading will keep ("training split 628 -&gt; 63 samples"). OK
changes the project in one step (Ctrl+Z undoes); the project file stores the options
<code>classes</code> and <code>train_fraction</code>. Choosing another dataset keeps the
options that still fit it. Not available for regression datasets.</p>"""),
    "training": ("Training", """
<p>The settings of the next run, grouped as in the panel: <i>epochs</i>, <i>batch size</i>,
<i>optimizer</i>, <i>lr</i> (learning rate); optimizer settings such as <i>weight decay</i>;
a learning-rate schedule; <i>loss</i>, <i>grad clip</i> and other regularization;
<i>early stopping</i> (patience in epochs; 0 is off); <i>balanced sampling</i>, <i>seed</i> and
<i>device</i>. <i>objective</i> is what training minimizes (<i>supervised</i>: the loss between
output and labels; plugins can add more, and their losses, optimizers and schedules appear in
the lists too). Hover a label for what it does. Press <b>Train</b> (toolbar, F5) to start;
<b>Pause / Resume</b> (F6) and <b>Stop</b> (Shift+F5) act within one batch.</p>"""),
    "dashboard": ("Dashboard", """
<p>The live plots of the current run, and after it, its validation metrics. <i>Log scale</i>
switches the y axes, <i>Auto-range</i> refits them, <i>Export CSV…</i> saves every curve.</p>
<ul>
<li><b>Loss</b>: how wrong the network is, lower is better. Training (thin: per batch,
smoothed; thick: per epoch) and validation. Validation loss rising while training loss falls
is overfitting.</li>
<li><b>Accuracy</b>: the share of samples classified correctly, on training and validation
data.</li>
<li><b>Gradient norm per layer</b>: how big each layer's update signal is. Layers far below
the others barely learn (vanishing gradients); a sudden climb warns of exploding
gradients.</li>
<li><b>Dead units per layer</b>: for each ReLU-type layer, the share of units that output
zero for every validation sample. A dead ReLU gets no gradient and stops learning.</li>
<li><b>Learning rate (per epoch)</b>: the rate the schedule set for each epoch.</li>
<li><b>Training throughput (per epoch)</b>: training samples per second.</li>
<li><b>Layer histogram</b>: how a layer's weights (or gradients) are spread at the last
checkpoint; weights piling up at zero or exploding, or gradients collapsing to a spike at
zero, show up here first.</li>
<li><b>Validation metrics</b> tab: the confusion matrix (rows: true class, columns:
predicted) and per-class precision, recall and F1. On imbalanced data, judge by the small
class's recall, not accuracy.</li></ul>"""),
    "health": ("Health", """
<p>What the Workbench noticed about the run, in plain words, with what to do about it: each
finding has a severity (info, warning, error), an explanation with the numbers that triggered
it, and a fix. Selecting a finding marks the epochs and plots it is about on the Dashboard. The meaning of
each finding is listed below under <i>What each Health finding means</i>.</p>"""),
    "runs": ("Runs", """
<p>Every run of this project: when, how it ended, its best validation figures. Select two or
more to overlay their curves on the Dashboard. <i>Export to ONNX…</i> (Ctrl+E) writes a
verified deployment bundle of the selected run.</p>"""),
    "fine_tune": ("Fine-tune from Run", """
<p>Start the current network from a finished run's weights instead of random ones (transfer
learning): <i>Train &gt; Fine-tune from Run…</i>, or the same entry on a run in the
<b>Runs</b> panel. The dialog shows the run (name, dataset, accuracy) and every layer with
weights: <b>loaded</b> when the run has a layer with the same name, type and tensor shapes (as
the trainer decides it), or
<b>skipped</b> with the reason (missing in the run, another type, shape differs: expected
vs found).</p>
<ul><li><i>Reset the head</i>: the layer feeding the Output starts fresh. Use it when the new
task has other classes.</li>
<li><i>Freeze up to</i>: the layers up to this one keep the run's weights; only later layers
train. Otherwise the layers frozen in the Inspector stay frozen.</li>
<li><i>Learning-rate scale of loaded layers</i>: 0.1 changes the pretrained weights
gently.</li>
<li><i>Unfreeze one layer every N epochs</i>: gradual unfreezing from the output side.</li></ul>
<p><b>Fine-tune</b> stores these settings with the project's training settings and trains; F5
trains with them again until you undo (Ctrl+Z). A run that cannot be used (no saved weights)
is refused in the dialog.</p>"""),
    "distill": ("Distill from Run", """
<p>Train a small network (the student) to follow a finished run's predictions (the teacher):
<i>Train &gt; Distill from Run…</i>, or the same entry on a run in the <b>Runs</b> panel. The
dialog shows the teacher (name, dataset, accuracy, parameters) and the student, the network
on the canvas, with its parameters; it warns when the student's inputs, classes or dataset
differ from the teacher's. <i>Use a smaller copy of the teacher (widths x 0.25)</i> puts the
teacher's network at a quarter of its widths on the canvas (Undo brings yours back).</p>
<ul><li><i>Temperature</i>: softens both outputs before they are compared; higher shows more of
the teacher's ranking of the wrong classes.</li>
<li><i>Alpha</i>: the weight of the teacher's soft targets; 1 − alpha weighs the loss on the
labels.</li></ul>
<p><b>Distill</b> stores the distillation objective with the project's training settings and
trains; the run is listed under the teacher as distilled-from, and the Dashboard's <i>Loss
terms</i> plot shows the soft (teacher) and hard (labels) parts of the loss per epoch.</p>"""),
    "export": ("Export dialog", """
<p>Exports a run as an ONNX model with <code>model.json</code>, <code>predict.py</code> and a
README. Before anything is written it checks the model with onnx.checker, compares
onnxruntime's outputs with PyTorch's on validation samples and measures latency; the bundle
appears only if every check passed. <i>Open bundle folder</i> shows it (or says where it is
when no file manager can).</p>"""),
    "note": ("Note", """
<p>The <b>lesson_…</b> examples on the start page each walk into one classic danger; their
<b>…_cured</b> twin applies the cure. A project's note (shown in the <b>Note</b> panel when it
opens) says what to press and what to look for.</p>"""),
    "compression": ("Compression", """
<p>Compares the selected run's family: the run it comes from and every variant made from it
(distilled students, pruned and int8 runs), one row each: validation and test score,
parameters, MACs, file size and onnxruntime latency at batch 1 and 64, measured side by side
(<b>Measure again</b> repeats it). The scatter plots accuracy against latency and highlights the
Pareto front (no other row is both faster and more accurate). <b>Export…</b> exports the
selected row as a verified ONNX bundle; <b>Prune…</b> and <b>Quantize…</b> make a variant of
the selected float row (a new variant's row is selected once it is measured).</p>"""),
    "prune": ("Prune Run", """
<p>Removes the least important Conv channels and Linear units of a run's network (structured
pruning: the network really gets smaller and faster) and writes the result as a new run, listed
under the run as <b>pruned-from</b>: <i>Train &gt; Prune Run…</i>, <i>Prune…</i> on a run in
the <b>Runs</b> panel, or <i>Prune…</i> in the <b>Compression</b> dock. BatchNorm, the next
layers' inputs and Add-joined branches follow; the layer feeding the Output is never pruned.</p>
<ul><li><i>Importance</i>: L1 / L2 norm of each channel's weights, or Taylor (|w · gradient| on
training samples).</li>
<li><i>Ratio to remove</i>, <i>Scope</i>: per layer (the ratio in every layer) or global (some
layers lose more). The dialog shows the parameters and MACs before and the predicted after; a
ratio that would remove every channel of a layer is refused with the reason.</li>
<li><i>Steps</i> and <i>Fine-tuning epochs per step</i>: reach the ratio in rounds, each pruned
network trained again (a <b>fine-tuned-from</b> run under it).</li></ul>
<p>The job runs in the background; <i>Cancel</i> stops at the next stage (a fine-tuning round
under way finishes first) and leaves no half-written run. The result: accuracy, parameters,
MACs, file size and onnxruntime latency before and after, and the runs written.</p>"""),
    "quantize": ("Quantize Run (int8)", """
<p>Makes an int8 variant of a float run with ONNX Runtime, listed under it as
<b>quantized-from</b>: <i>Train &gt; Quantize Run (int8)…</i>, <i>Quantize…</i> on a run in
the <b>Runs</b> panel or in the <b>Compression</b> dock.</p>
<ul><li><i>Mode</i>: static (activations calibrated on training samples) or dynamic.</li>
<li><i>Format</i>: QDQ or QOperator, or <i>measure every format</i> on this machine: int8 is
not always faster than float32, so each is timed and the fastest that keeps accuracy is
recommended (float32 itself when it is the fastest).</li>
<li><i>Calibration</i> (MinMax, Entropy, Percentile) on N training samples, per-channel weight
scales, and the <i>accuracy drop allowed</i>: beyond it the most sensitive layers are kept in
float.</li></ul>
<p>The result table lists every format measured (accuracy, drop, size, latency at batch 1 and
64, speed-up vs float32) with the recommendation in bold, why, and the layers kept in float.
The variant exports like any run (its bundle is verified against the float parent).</p>"""),
    "explain": ("Explain", """
<p>Why the selected run's model decides what it does, measured on its <b>validation</b> split
(never test). Everything is computed in the background, one job at a time: the app stays
responsive, <b>Cancel</b> stops a slow job, and results are cached in the run folder (a new
best checkpoint invalidates them), so selecting the run again shows them at once.</p>
<ul><li><b>Attributions</b>: which parts of each input the prediction rests on. Images: heat
maps over the samples (brighter = more weight) and the average per class; tabular data: bars
per CSV column for the chosen sample next to the mean over the samples; token sequences:
coloured tokens. Only the methods that fit the model are offered (Grad-CAM needs a convolution
layer: pick it under <i>layer</i>); <i>noise tunnel</i> smooths the maps at a cost.</li>
<li><b>Importance</b>: how much the validation score drops when one feature is shuffled
(one-hot columns of one CSV column together), with the spread over repeats as error bars.</li>
<li><b>Mistakes</b>: the misclassified samples, most confident first (regression: the largest
residuals); select one for its probabilities, <b>Attribution</b> explains it.</li>
<li><b>Calibration</b>: the reliability diagram (accuracy per confidence bin against the
diagonal) and the expected calibration error. <b>Fit temperature</b> stores a temperature with
the run; exported bundles then give calibrated probabilities (same predictions).</li>
<li><b>Groups</b>: accuracy, precision, recall, F1, selection rate and support per value of a
CSV column (one kept out of the inputs too), the demographic-parity and equalized-odds
differences, and a finding when a group with enough samples does much worse.</li></ul>"""),
    "search": ("Search", """
<p>Searches architectures and training settings over the project's <b>search space</b> (its
<code>search</code> section; the example <b>search_mlp_digits</b> has one). The top left lists
what varies and how many combinations there are (or "continuous"); layers it varies carry a
violet <b>varies</b> badge on the canvas.</p>
<ul><li><b>Strategy</b>: random, grid, tpe, cmaes, nsga2 (several objectives), evolution.
<b>Pruner</b> stops poor trials early, per epoch. <b>Trials</b> and <b>Timeout</b> set the
budget; the <b>Objective</b> is measured on the validation split only.</li>
<li><b>Start Search</b> saves the project and runs <code>workbench search</code> in a separate
process: the app stays responsive and the search goes on if the app closes (reopening the
project shows it). <b>Stop</b> ends it (the trial in flight is recorded failed); <b>Resume</b>
adds more trials to the same study.</li>
<li>The table lists each trial: state (✂ pruned, ✖ failed), value, epochs, time and the
parameters drawn. The plots show the best value so far and each trial's validation curve;
pruned trials are dashed and end in a cross.</li>
<li><b>Open in Editor</b> puts the selected trial's network (default: the best) on the canvas
(Undo brings yours back); <b>Train Best Fully</b> trains the best trial's network and settings
as a normal run whose lineage is <i>trial-of</i> the study.</li></ul>"""),
}

# finding code -> (title, HTML body). Codes are those of workbench.train.health.
HEALTH_GUIDE: dict[str, tuple[str, str]] = {
    "nan": ("The loss became NaN or infinite", """
Training stopped because the loss stopped being a number, nearly always because updates were
too large. Lower <i>lr</i>, set <i>grad clip</i> (e.g. 1.0), check the inputs are
normalized. Lesson: <b>lesson_lr_too_high</b>."""),
    "overfitting": ("Overfitting", """
Validation loss reached its minimum and rose again while training loss kept falling: the
network is memorizing the training data. Use <i>early stopping</i>, Dropout layers, <i>weight
decay</i>, a smaller network or more data. Lesson: <b>lesson_overfitting</b>."""),
    "underfitting": ("Underfitting", """
Training accuracy is low and flat: the network cannot fit even the data it trains on. Train
longer, raise <i>lr</i>, use a larger network, or regularize less."""),
    "dead_relu": ("Dead units", """
A share of a ReLU layer's units never switches on: they output zero and get no gradient, so
they stop learning for good. Lower <i>lr</i>, use LeakyReLU, ELU or GELU, or add BatchNorm
before the activation. Lesson: <b>lesson_dead_relu</b>."""),
    "vanishing_gradients": ("Vanishing gradients", """
The gradient reaching some layers is over 1000x smaller than the others', so they barely
learn. Typical of deep Sigmoid/Tanh stacks. Use ReLU-family activations, BatchNorm, or
residual Add connections. Lesson: <b>lesson_vanishing_gradients</b>."""),
    "exploding_gradients": ("Exploding gradients", """
A layer's gradient is far larger than the others' or grows fast from epoch to epoch; training
may blow up. Set <i>grad clip</i>, lower <i>lr</i>, add normalization."""),
    "loss_spikes": ("Loss spikes", """
Training loss jumped to several times its recent level: each spike undoes learning. The
learning rate is too high; lower <i>lr</i>, add warm-up, or set <i>grad clip</i>."""),
    "class_imbalance": ("Class imbalance", """
One class has several times more training samples than another: a network can score well
by favouring the big class. Turn on <i>balanced sampling</i> and judge the run by per-class
recall (Dashboard, Validation metrics). Lesson: <b>lesson_class_imbalance</b>."""),
    "accuracy_hides_imbalance": ("Accuracy no better than guessing the biggest class", """
Validation accuracy is about the share of the biggest class, which a network that always
answers that class also scores. Look at per-class recall instead."""),
    "predicting_mean": ("Predicting the mean (regression)", """
The network's predictions explain little more than the average target would (R² near 0).
Train longer, raise <i>lr</i>, or check that the features carry information about the
target."""),
    "lr_too_low": ("Progress is very slow", """
Training loss fell by under 1% over the last epochs while accuracy is still low: the learning
rate may be too low. Try a 3-10x higher <i>lr</i>."""),
    "noisy_loss": ("The training loss is noisy", """
Training loss went up in several of the last epochs. Lower <i>lr</i> or use a larger
<i>batch size</i>."""),
    "leakage_val": ("Validation samples also in the training data", """
Some validation samples are exact copies of training samples, so validation figures
overstate how the network does on new data. Remove duplicates before splitting."""),
    "leakage_test": ("Test samples also in the training data", """
Some test samples are exact copies of training samples, so test figures overstate how the
network does on new data. Remove duplicates before splitting."""),
}
