"""Compression: smaller, faster variants of a trained run, each a run with lineage.

This first slice is int8 quantization with ONNX Runtime (:mod:`workbench.compress.quantize`):
static (QDQ / QOperator, U8S8 / S8S8, calibrated on training samples) and dynamic, measured
on this machine (accuracy on the validation split, file size, latency at batch 1 and 64).
"""
