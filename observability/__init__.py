"""Logs, traces and metrics: configured once per process from the environment."""
