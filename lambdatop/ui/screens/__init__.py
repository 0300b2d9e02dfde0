"""Screens: one per view (fleet, help)."""
