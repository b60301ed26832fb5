"""Réflex'tics: a Matrix bot that narrates the DLiS reflective card game."""

__version__ = "0.1.0"
