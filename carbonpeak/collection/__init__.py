"""carbonpeak.collection."""
