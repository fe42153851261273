"""Training: config, trainer loop, events and callbacks, monitors, health checks."""
