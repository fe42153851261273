"""Built-in layer kinds, grouped by category; ``catalogue.py`` registers every ``LAYERS`` list.

Each module lists ``(LayerType, shape_rule, LayerBuilder)`` triples. Shape rules are pure Python
(no torch): they give the output shape, trainable parameter count (equal to torch's
``sum(p.numel())``) and multiply-accumulates per sample. Pooling, activations and merges count
0 MACs; normalization counts one per output element (the scale-and-shift).
"""
