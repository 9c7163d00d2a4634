"""Synthetic plates and scenes for training and testing the plate models (no torch needed)."""

from thanglong.cameras.plates.synth.render import PlateSpec, RenderedPlate, random_spec, render_plate
from thanglong.cameras.plates.synth.scene import detector_scene, plate_crop, recogniser_sample

__all__ = [
    "PlateSpec",
    "RenderedPlate",
    "detector_scene",
    "plate_crop",
    "random_spec",
    "recogniser_sample",
    "render_plate",
]
