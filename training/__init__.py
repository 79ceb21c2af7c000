"""Training, evaluation and ONNX export for the two caption models (Show and Tell, Show Attend and Tell)."""
