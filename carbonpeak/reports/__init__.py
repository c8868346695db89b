"""carbonpeak.reports."""
