"""carbonpeak.supervision."""
