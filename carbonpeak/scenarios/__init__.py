"""carbonpeak.scenarios."""
