"""The bundled rule table (TOML rows) and structural hooks."""
