"""carbonpeak.accounting."""
