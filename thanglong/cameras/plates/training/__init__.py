"""Training code for the plate models (needs the ``train`` extra: PyTorch CPU). Not imported at runtime."""
