"""GUI tests: real widgets driven with pytest-qt on the offscreen platform."""
