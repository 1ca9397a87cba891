"""Annotation formats, real-data loaders and tf.data builders."""
