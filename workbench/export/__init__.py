"""ONNX export, verification against PyTorch with onnxruntime, latency, deployment bundle."""
