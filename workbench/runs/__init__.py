"""Project folders and run folders: atomic files, metric logs, safetensors checkpoints."""
