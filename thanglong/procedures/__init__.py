"""The catalogue of administrative procedures: steps, documents, fees, time limits, legal basis."""
