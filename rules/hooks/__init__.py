"""Structural rewrite hooks named by rule rows."""
