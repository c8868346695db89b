"""carbonpeak.store."""
