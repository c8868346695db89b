"""carbonpeak.indicators."""
