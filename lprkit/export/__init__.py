"""Export of trained models: TFLite (fp32/fp16/int8), ONNX, and parity checks against Keras.

Modules: :mod:`~lprkit.export.tflite` (conversion), :mod:`~lprkit.export.parity` (agreement
tables), :mod:`~lprkit.export.onnx` (tf2onnx + onnxruntime). They import TensorFlow inside
their functions, so ``import lprkit.export`` stays light; the files they write run without
TensorFlow through :mod:`lprkit.edge`.
"""
