"""Use cases: one function per thing a user does. Adapters call these; these call the domain and the store."""
