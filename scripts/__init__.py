"""Maintenance scripts run from the Makefile."""
