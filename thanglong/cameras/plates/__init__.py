"""Vietnamese licence plates: grammar, our own small ONNX detector and recogniser, tracking.

Runtime needs numpy, OpenCV and onnxruntime only; ``training/`` (PyTorch, the ``train`` extra)
rebuilds the models in ``models/`` from the synthetic generator in ``synth/``.
"""
