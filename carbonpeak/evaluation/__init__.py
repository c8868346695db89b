"""carbonpeak.evaluation."""
