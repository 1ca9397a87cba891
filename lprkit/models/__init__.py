"""Keras model builders (YOLOv4, CRNN, LPRNet) and Darknet file I/O."""
