"""jax2torch: migrate JAX code to PyTorch."""

__version__ = "0.1.0"
