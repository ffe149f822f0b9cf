"""``python -m jax2torch``: the same command as the ``jax2torch`` script."""

from jax2torch.cli import main

if __name__ == "__main__":
    main(prog_name="jax2torch")
