"""carbonpeak.decomposition."""
