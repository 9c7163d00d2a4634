"""Vietnamese address normaliser: free text → 2025 province + ward (and the pre-2025 units it names)."""

from thanglong.core.address.normaliser import normalise_address
from thanglong.core.address.result import AddressResult, UnitRef

__all__ = ["AddressResult", "UnitRef", "normalise_address"]
