"""The work plan as data: schema (schema.py), loading and validation (load.py), the packaged plans (data/)."""
