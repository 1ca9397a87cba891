"""Reading plate crops: CTC decoding, metrics, training and the recogniser interface."""
