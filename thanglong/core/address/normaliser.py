"""Free-text Vietnamese address → pre-2025 province/district/ward, 2025 province/ward and the street part.

Vietnamese addresses run from the smallest unit to the largest, so the search works from the end: the
province first, then the districts of that province that come before it, then the wards of each such
district. Names are looked up by their folded, space-free key (exact), and only where that finds nothing
next to the larger unit, by edit similarity among the children of that unit (typos, dropped letters).
Unit words ("phường", "Q.", "TT", "huyện"…) are hints that reward the matching level and kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from thanglong.core.address.index import (
    DISTRICT_LEVEL,
    NEW_WARD_LEVEL,
    PROVINCE_LEVEL,
    WARD_LEVEL,
    AddressIndex,
    Choices,
    Entry,
    get_index,
)
from thanglong.core.address.result import AddressResult, UnitRef
from thanglong.core.address.tokens import (
    DISTRICT,
    PREFIXES,
    PROVINCE,
    TRAILERS,
    WARD,
    Token,
    accent_key,
    tokenize,
)

MAX_SPAN = 6  # tokens in one name ("Phan Rang - Tháp Chàm" is five)
FUZZY_WINDOW = 7  # tokens before the larger unit searched for a misspelt smaller one
FUZZY_MAX_SPAN = 4
GAP_PENALTY = 0.15
TRAILING_PENALTY = 0.12
COMMA_INSIDE_PENALTY = 0.3
_LEVEL_NAMES = {PROVINCE_LEVEL: PROVINCE, DISTRICT_LEVEL: DISTRICT, WARD_LEVEL: WARD, NEW_WARD_LEVEL: WARD}


@dataclass(frozen=True, slots=True)
class Match:
    level: int
    index: int
    start: int  # token span [start, end)
    end: int
    score: float
    former: bool = False  # matched a pre-merger name of the unit
    key: str = ""  # the index key it matched, for pre-merger names


@dataclass(slots=True)
class Chain:
    score: float
    province: Match | None = None
    district: Match | None = None
    wards: tuple[
        Match, ...
    ] = ()  # pre-2025 ward(s): several when the district is missing and the name repeats
    new_ward: Match | None = None


class _Address:
    """One address being resolved: its tokens and the matches found so far."""

    def __init__(self, index: AddressIndex, tokens: list[Token]) -> None:
        self.index = index
        self.tokens = tokens
        self.prefix_at = self._find_prefixes()
        self._content_before = [0]
        for is_prefix in self.prefix_token:
            self._content_before.append(self._content_before[-1] + (not is_prefix))
        self.exact = self._exact_matches()
        self.fuzzy_enabled = False  # first try exact names only; most addresses need nothing more
        self._fuzzy_cache: dict[tuple[int, int, int, int, float], list[Match]] = {}

    # --- tokens -----------------------------------------------------------------------------------
    def _find_prefixes(self) -> list[tuple[frozenset[str], str] | None]:
        """For each token: the unit hint that ends right before it, if any."""
        tokens = self.tokens
        hints: list[tuple[frozenset[str], str] | None] = [None] * (len(tokens) + 1)
        self.prefix_token = [False] * len(tokens)
        for position in range(len(tokens)):
            if position >= 2:
                pair = tokens[position - 2].folded + tokens[position - 1].folded
                if pair in PREFIXES:
                    hints[position] = PREFIXES[pair]
                    self.prefix_token[position - 2] = self.prefix_token[position - 1] = True
                    continue
            if position >= 1 and tokens[position - 1].folded in PREFIXES:
                hints[position] = PREFIXES[tokens[position - 1].folded]
                self.prefix_token[position - 1] = True
        return hints

    def content_between(self, start: int, end: int) -> int:
        """Tokens in [start, end) that are not unit words: what separates two matched units."""
        return self._content_before[end] - self._content_before[start] if end > start else 0

    def trailing(self, end: int) -> int:
        return sum(
            1 for token in self.tokens[end:] if token.folded not in TRAILERS and not token.folded.isdigit()
        )

    # --- scoring ----------------------------------------------------------------------------------
    def _kind_of(self, level: int, index: int) -> str:
        if level == PROVINCE_LEVEL:
            return self.index.provinces[index].kind
        if level == DISTRICT_LEVEL:
            return self.index.districts[index].kind
        if level == WARD_LEVEL:
            return self.index.wards[index].kind
        return self.index.new_wards[index].kind

    def _accented_of(self, level: int, index: int) -> str:
        if level == PROVINCE_LEVEL:
            return self.index.provinces[index].accented
        if level == DISTRICT_LEVEL:
            return self.index.districts[index].accented
        if level == WARD_LEVEL:
            return self.index.wards[index].accented
        return self.index.new_wards[index].accented

    def score(
        self, level: int, index: int, start: int, end: int, quality: float, hinted: bool, key: str
    ) -> float:
        hint = self.prefix_at[start]
        score = quality + 0.01 * min(len(key), 15)
        if hinted:
            score += 0.3
        elif hint is not None:
            levels, kind = hint
            if _LEVEL_NAMES[level] in levels:
                score += 0.3 if kind == self._kind_of(level, index) or len(levels) > 1 else 0.1
            else:
                score -= 0.3
        if any(self.tokens[k].comma_before for k in range(start + 1, end)):
            score -= COMMA_INSIDE_PENALTY
        return score

    def _exact_matches(self) -> dict[int, list[Match]]:
        found: dict[int, list[Match]] = {
            PROVINCE_LEVEL: [],
            DISTRICT_LEVEL: [],
            WARD_LEVEL: [],
            NEW_WARD_LEVEL: [],
        }
        keys = self.index.keys
        tokens = self.tokens
        for start in range(len(tokens)):
            key = written = ""
            for end in range(start + 1, min(len(tokens), start + MAX_SPAN) + 1):
                key += tokens[end - 1].folded
                written += tokens[end - 1].accented
                entries: list[Entry] | None = keys.get(key)
                if not entries:
                    continue
                # Prefer the name with exactly these accents, then unaccented input, then other accents.
                plain = 0.97 if written == key else 0.9
                for entry in entries:
                    quality = entry.quality
                    if not entry.hinted:
                        quality *= 1.0 if written == self._accented_of(entry.level, entry.index) else plain
                    score = self.score(entry.level, entry.index, start, end, quality, entry.hinted, key)
                    found[entry.level].append(
                        Match(
                            entry.level,
                            entry.index,
                            start,
                            end,
                            score,
                            entry.former,
                            key if entry.former else "",
                        )
                    )
        return found

    def fuzzy(
        self, level: int, choices: Choices | None, low: int, high: int, cutoff: float = 80
    ) -> list[Match]:
        """Misspelt names of one level among ``choices``, in spans of tokens [low, high)."""
        if not self.fuzzy_enabled or choices is None or not choices.keys:
            return []
        cache_key = (level, id(choices), low, high, cutoff)
        if cache_key not in self._fuzzy_cache:
            self._fuzzy_cache[cache_key] = self._fuzzy(level, choices, low, high, cutoff)
        return self._fuzzy_cache[cache_key]

    def _fuzzy(self, level: int, choices: Choices, low: int, high: int, cutoff: float) -> list[Match]:
        matches: list[Match] = []
        tokens = self.tokens
        for start in range(max(0, low), high):
            first = tokens[start].folded
            if (self.prefix_token[start] and len(first) < 3) or first.isdigit():
                continue
            key = ""
            for end in range(start + 1, min(high, start + FUZZY_MAX_SPAN) + 1):
                if tokens[end - 1].folded.isdigit():
                    break
                key += tokens[end - 1].folded
                if len(key) < 4:
                    continue
                # A correctly spelt name of some other place is rarely a typo for this one.
                penalty = 0.6 if key in self.index.keys else 1.0
                # One slip in a short name is a large share of it: short keys need a closer match,
                # except province names, which are few and far apart.
                limit = cutoff if len(key) > (4 if level == PROVINCE_LEVEL else 5) else max(cutoff, 88)
                for choice, ratio, position in process.extract(
                    key, choices.keys, scorer=fuzz.ratio, score_cutoff=limit, limit=2
                ):
                    former = choices.former[position]
                    quality = 0.9 * penalty * (ratio / 100) ** 3 * (0.95 if former else 1.0)
                    if quality < 0.3:
                        continue  # too far from a name that is itself a real place elsewhere
                    unit = choices.indexes[position]
                    if not former:  # between near-equal spellings, the accents the writer did type decide
                        written = "".join(token.accented for token in tokens[start:end])
                        quality *= 0.95 + 0.05 * fuzz.ratio(written, self._accented_of(level, unit)) / 100
                    score = self.score(level, unit, start, end, quality, False, key)
                    matches.append(Match(level, unit, start, end, score, former, choice if former else ""))
        return matches

    def district_initials(self, province: int, high: int) -> list[Match]:
        """ "TB", "BT": the initials of a district, written in capitals, within a known province."""
        matches: list[Match] = []
        for position in range(max(0, high - 3), high):
            token = self.tokens[position]
            if token.upper and 2 <= len(token.folded) <= 3:
                for unit in self.index.district_initials.get((province, token.folded), ()):
                    matches.append(Match(DISTRICT_LEVEL, unit, position, position + 1, 0.55))
        return matches


def _adjacent(matches: list[Match], end: int, address: _Address) -> bool:
    return any(address.content_between(match.end, end) == 0 for match in matches)


def _best_per_unit(matches: list[Match], address: _Address, high: int, limit: int) -> list[Match]:
    """The best span of each unit, judged with its distance to the larger unit at token ``high``."""
    best: dict[int, tuple[float, Match]] = {}
    for match in matches:
        if match.end > high:
            continue
        effective = match.score - GAP_PENALTY * address.content_between(match.end, high)
        if match.index not in best or effective > best[match.index][0]:
            best[match.index] = (effective, match)
    ranked = sorted(best.values(), key=lambda pair: -pair[0])
    return [match for _, match in ranked[:limit]]


def _best_provinces(matches: list[Match], address: _Address, limit: int = 4) -> list[Match]:
    """Province readings by score less what follows them: a province is the last thing in an address."""
    ranked = sorted(matches, key=lambda m: -(m.score - TRAILING_PENALTY * address.trailing(m.end)))
    seen: set[tuple[int, int, int]] = set()
    kept: list[Match] = []
    for match in ranked:
        if (match.index, match.start, match.end) not in seen:
            seen.add((match.index, match.start, match.end))
            kept.append(match)
    return kept[:limit]


def _is_settled(address: _Address, chain: Chain) -> bool:
    """Province, district and ward (or province and 2025 ward) found by name, side by side, at the end."""
    province = chain.province
    if province is None or address.trailing(province.end):
        return False
    if chain.district is not None and chain.wards:
        return (
            address.content_between(chain.district.end, province.start) == 0
            and address.content_between(chain.wards[0].end, chain.district.start) == 0
        )
    return chain.new_ward is not None and address.content_between(chain.new_ward.end, province.start) == 0


def _resolve(address: _Address) -> list[Chain]:
    chains = _chains(address)
    if chains and _is_settled(address, chains[0]):
        return chains
    address.fuzzy_enabled = True
    return _chains(address)


def _chains(address: _Address) -> list[Chain]:
    index = address.index
    exact = address.exact
    tokens_count = len(address.tokens)
    provinces: list[Match] = list(exact[PROVINCE_LEVEL])
    if not _adjacent(provinces, tokens_count, address) or not provinces:
        provinces += address.fuzzy(PROVINCE_LEVEL, index.province_choices, tokens_count - 5, tokens_count)
    chains: list[Chain] = []
    for province in [*_best_provinces(provinces, address), None]:
        if province is None:
            high = tokens_count
            base = 0.0
            district_pool = list(exact[DISTRICT_LEVEL])
            if not exact[PROVINCE_LEVEL] and not _adjacent(district_pool, high, address):
                district_pool += address.fuzzy(DISTRICT_LEVEL, index.all_district_choices, high - 4, high, 85)
            ward_pool_all: list[Match] = []
        else:
            high = province.start
            base = province.score - TRAILING_PENALTY * address.trailing(province.end)
            district_pool = [
                m
                for m in exact[DISTRICT_LEVEL]
                if m.end <= high and index.districts[m.index].province == province.index
            ]
            if not _adjacent(district_pool, high, address):
                district_pool += address.fuzzy(
                    DISTRICT_LEVEL, index.district_choices.get(province.index), high - FUZZY_WINDOW, high
                )
                district_pool += address.district_initials(province.index, high)
            ward_pool_all = [
                m
                for m in exact[WARD_LEVEL]
                if m.end <= high and index.districts[index.wards[m.index].district].province == province.index
            ]
            chains.append(Chain(base, province))
        for district in _best_per_unit(district_pool, address, high, 4 if province else 12):
            district_score = base + district.score - GAP_PENALTY * address.content_between(district.end, high)
            chains.append(Chain(district_score, province, district))
            wards = [
                m
                for m in exact[WARD_LEVEL]
                if m.end <= district.start and index.wards[m.index].district == district.index
            ]
            if not _adjacent(wards, district.start, address):
                wards += address.fuzzy(
                    WARD_LEVEL,
                    index.ward_choices.get(district.index),
                    district.start - FUZZY_WINDOW,
                    district.start,
                )
            for ward in _best_per_unit(wards, address, district.start, 3):
                gap = address.content_between(ward.end, district.start)
                chains.append(
                    Chain(district_score + ward.score - GAP_PENALTY * gap, province, district, (ward,))
                )
        if province is None:
            continue
        if not district_pool and not ward_pool_all:
            ward_pool_all = address.fuzzy(
                WARD_LEVEL, index.province_ward_choices.get(province.index), high - 5, high, 85
            )
        # The district left out: pre-2025 wards of the province, and 2025 wards (the new two-level form).
        by_span: dict[tuple[int, int], list[Match]] = {}
        for match in ward_pool_all:
            by_span.setdefault((match.start, match.end), []).append(match)
        for same_span in by_span.values():
            top = max(m.score for m in same_span)
            ambiguity = 0.1 if len({index.wards[m.index].district for m in same_span}) > 1 else 0.0
            gap = address.content_between(same_span[0].end, high)
            chains.append(Chain(base + top - ambiguity - GAP_PENALTY * gap, province, None, tuple(same_span)))
        new_code = index.provinces[province.index].new_code
        new_wards = [
            m
            for m in exact[NEW_WARD_LEVEL]
            if m.end <= high and index.new_wards[m.index].province_code == new_code
        ]
        if not _adjacent(new_wards, high, address) and not _adjacent(ward_pool_all, high, address):
            new_wards += address.fuzzy(
                NEW_WARD_LEVEL, index.new_ward_choices.get(new_code or ""), high - 5, high, 85
            )
        for new_ward in _best_per_unit(new_wards, address, high, 3):
            gap = address.content_between(new_ward.end, high)
            chains.append(
                Chain(base + new_ward.score - 0.05 - GAP_PENALTY * gap, province, new_ward=new_ward)
            )
    chains.sort(key=lambda chain: -chain.score)
    return chains


def _complete(address: _Address, chain: Chain) -> None:
    """Fill in the other reading of the same words: the 2025 ward behind a pre-2025 one and vice versa.

    Only where the two agree (the 2025 ward took over the old one), so that a namesake elsewhere in the
    province ("xã Hồng Hà" of Đan Phượng for "phường Hồng Hà") is not reported as the old unit.
    """
    exact = address.exact
    index = address.index
    if chain.new_ward is None and chain.wards and chain.district is None:
        ward = chain.wards[0]
        same = [
            m
            for m in exact[NEW_WARD_LEVEL]
            if (m.start, m.end) == (ward.start, ward.end)
            and any(index.new_wards[m.index].code in index.wards[w.index].successors for w in chain.wards)
        ]
        if same:
            chain.new_ward = max(same, key=lambda m: m.score)
    if chain.new_ward is not None and not chain.wards and chain.province is not None:
        new_ward = chain.new_ward
        span = (new_ward.start, new_ward.end)
        code = index.new_wards[new_ward.index].code
        chain.wards = tuple(
            m
            for m in exact[WARD_LEVEL]
            if (m.start, m.end) == span and code in index.wards[m.index].successors
        )
        if not chain.wards and chain.district is None:
            # A 2025 commune named after the old district it replaced ("Nam Đông").
            chain.district = next(
                (
                    m
                    for m in exact[DISTRICT_LEVEL]
                    if (m.start, m.end) == span
                    and any(code in index.wards[w].successors for w in index.districts[m.index].wards)
                ),
                None,
            )


def _written_name(address: _Address, match: Match, current: str) -> str:
    """A unit merged away before the reference data was taken is named as it was, not as its successor."""
    if not match.former:
        return current
    tokens = address.tokens[match.start : match.end]
    if tokens and tokens[-1].folded.isdigit() and match.key[-1:].isdigit():
        return tokens[-1].folded
    spellings = address.index.spellings.get(match.key)  # the same name borne by other units
    if spellings:
        written = "".join(token.accented for token in tokens)
        return next((name for name in spellings if accent_key(name) == written), spellings[0])
    if "".join(token.folded for token in tokens) == match.key:
        return " ".join(token.text for token in tokens).lower().title()
    return current


def _successor(address: _Address, ward_match: Match, successors: tuple[str, ...]) -> str:
    """The default successor, unless the address names another one with its 2025 kind ("xã Đông Anh")."""
    index = address.index
    hint = address.prefix_at[ward_match.start]
    if hint is not None and len(successors) > 1:
        written = "".join(token.folded for token in address.tokens[ward_match.start : ward_match.end])
        for code in successors:
            position = index.new_ward_by_code.get(code)
            if position is not None:
                candidate = index.new_wards[position]
                if candidate.folded == written and candidate.kind == hint[1]:
                    return code
    return successors[0]


def _describe(address: _Address, chain: Chain) -> dict[str, str | None]:
    index = address.index
    province = index.provinces[chain.province.index] if chain.province else None
    district = index.districts[chain.district.index] if chain.district else None
    district_name = (
        _written_name(address, chain.district, district.name) if chain.district and district else None
    )
    wards = [index.wards[m.index] for m in chain.wards]
    ward_names = {_written_name(address, m, index.wards[m.index].name) for m in chain.wards}
    ward_districts = {w.district for w in wards}
    if district is None and len(ward_districts) == 1:
        district = index.districts[next(iter(ward_districts))]
        district_name = district.name
    if province is None and district is not None:
        province = index.provinces[district.province]
    new_ward_code: str | None = None
    if chain.new_ward is not None:
        new_ward_code = index.new_wards[chain.new_ward.index].code
    else:
        successors = {
            _successor(address, m, index.wards[m.index].successors)
            for m in chain.wards
            if index.wards[m.index].successors
        }
        if len(successors) == 1:
            new_ward_code = next(iter(successors))
    new_province_code = province.new_code if province else None
    if new_ward_code is not None and new_ward_code in index.new_ward_by_code:
        new_province_code = index.new_wards[index.new_ward_by_code[new_ward_code]].province_code
    return {
        "legacy_province": province.name if province else None,
        "legacy_district": district_name,
        "legacy_ward": next(iter(ward_names)) if len(ward_names) == 1 else None,
        "ward_code": new_ward_code,
        "province_code": new_province_code,
    }


def _street(address: _Address, chain: Chain, cleaned: str) -> str:
    starts = [
        m.start for m in (chain.province, chain.district, chain.new_ward, *chain.wards) if m is not None
    ]
    if not starts:
        return cleaned.strip(" ,.;-")
    first = min(starts)
    while first > 0 and address.prefix_token[first - 1]:
        first -= 1
    end = address.tokens[first].start if first < len(address.tokens) else len(cleaned)
    return cleaned[:end].strip(" ,.;-")


def _confidence(chain: Chain, runner_up: Chain | None) -> float:
    parts = [
        (chain.province, 0.35),
        (chain.district, 0.25),
        (chain.wards[0] if chain.wards else chain.new_ward, 0.4),
    ]
    value = sum(
        weight * min(1.0, max(0.0, match.score) / 1.1) for match, weight in parts if match is not None
    )
    if chain.district is None and chain.wards and chain.province is not None:
        value += 0.15  # the 2025 form has no district; the ward and province are enough
    if runner_up is not None and runner_up.score > chain.score - 0.2:
        value *= 0.8
    return round(min(1.0, value), 3)


def _reads_part_of(chain: Chain, best: Chain) -> bool:
    """A shorter reading of the words the best one took as its ward ("Dịch Vọng" in "Dịch Vọng Hậu")."""
    if not chain.wards or not best.wards:
        return False
    inner, outer = chain.wards[0], best.wards[0]
    return (
        outer.start <= inner.start
        and inner.end <= outer.end
        and (inner.start, inner.end) != (outer.start, outer.end)
    )


def normalise_address(text: str) -> AddressResult:
    """Resolve a free-text address; never raises on odd input (an empty result has confidence 0)."""
    text = text if isinstance(text, str) else ""
    index = get_index()
    cleaned, tokens = tokenize(text, index.vocabulary)
    empty = AddressResult(text, None, None, None, None, None, cleaned.strip(), 0.0)
    if not tokens:
        return empty
    address = _Address(index, tokens)
    chains = _resolve(address)
    if not chains:
        return empty
    best = chains[0]
    _complete(address, best)
    described = _describe(address, best)

    def outcome(values: dict[str, str | None]) -> tuple[str | None, ...]:
        return (
            values["legacy_province"],
            values["legacy_district"],
            values["legacy_ward"],
            values["ward_code"],
        )

    seen = {outcome(described)}
    runner_up: Chain | None = None
    alternatives: list[dict[str, Any]] = []
    for chain in chains[1:]:
        if len(alternatives) >= 3 or chain.score < best.score - 1.0:
            break
        other = _describe(address, chain)
        if outcome(other) in seen or _reads_part_of(chain, best):
            continue
        seen.add(outcome(other))
        runner_up = runner_up or chain
        alternatives.append({**other, "score": round(chain.score, 3)})
    if best.district is None and len(best.wards) > 1:
        for match in best.wards:
            single = Chain(best.score, best.province, None, (match,))
            alternatives.append({**_describe(address, single), "score": round(best.score, 3)})
    province_code = described["province_code"]
    ward_code = described["ward_code"]
    province = (
        UnitRef(province_code, index.new_province_names.get(province_code, "")) if province_code else None
    )
    ward = None
    if ward_code is not None and ward_code in index.new_ward_by_code:
        ward = UnitRef(ward_code, index.new_wards[index.new_ward_by_code[ward_code]].full_name)
    return AddressResult(
        input=text,
        province=province,
        ward=ward,
        legacy_province=described["legacy_province"],
        legacy_district=described["legacy_district"],
        legacy_ward=described["legacy_ward"],
        street=_street(address, best, cleaned),
        confidence=_confidence(best, runner_up),
        alternatives=alternatives,
    )
