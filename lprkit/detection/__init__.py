"""Finding plates in frames: anchors, targets, loss, decoding + NMS, training and mAP."""
