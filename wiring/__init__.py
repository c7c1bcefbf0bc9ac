"""The composition root: settings, and the one place that wires adapters into the application and the read side."""
