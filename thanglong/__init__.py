"""Thăng Long — open platform for the digital transformation of a city police force and city government."""

__version__ = "0.1.0"
