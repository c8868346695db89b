"""carbonpeak.decomposition: drivers of change in emissions (docs/methods/decomposition.md).

lmdi.py   additive and multiplicative LMDI-I for the extended Kaya identity; zeros after Ang & Liu (2007)
table.py  the decomposition input table (CSV) → KayaSeries; SAMPLE_FILE
"""
