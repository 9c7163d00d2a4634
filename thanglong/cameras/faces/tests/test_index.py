from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.test import override_settings
from django.utils import timezone

from thanglong.cameras.faces import index as face_index
from thanglong.cameras.faces.index import FaceIndex, embedding_to_bytes
from thanglong.cameras.models import FaceTemplate, WatchPerson, WatchReason


def descriptor(seed: int) -> np.ndarray:
    """A vector shaped like dlib's (norm ~1.5, small components), distinct per seed."""
    vector = np.random.default_rng(seed).normal(0, 1, 128).astype(np.float32)
    return vector / np.linalg.norm(vector) * 1.5


def near(vector: np.ndarray, distance: float, seed: int = 99) -> np.ndarray:
    step = np.random.default_rng(seed).normal(0, 1, 128).astype(np.float32)
    return (vector + step / np.linalg.norm(step) * distance).astype(np.float32)


def person(force: dict[str, Any], name: str, **extra: Any) -> WatchPerson:
    return WatchPerson.objects.create(
        full_name=name,
        reason=WatchReason.WANTED,
        legal_basis="Quyết định truy nã số 12/QĐ",
        owner_unit=force["pc06"],
        expires_at=extra.pop("expires_at", timezone.now() + timedelta(days=30)),
        **extra,
    )


def count_builds(target: FaceIndex) -> list[int]:
    """Spy on ``target``'s graph builds: the returned list gets one entry per build."""
    calls: list[int] = []
    original = target._build

    def counting_build(index: Any) -> Any:
        calls.append(1)
        return original(index)

    target._build = counting_build  # type: ignore[method-assign]
    return calls


def template(owner: WatchPerson, vector: np.ndarray) -> FaceTemplate:
    return FaceTemplate.objects.create(person=owner, embedding=embedding_to_bytes(vector), quality=0.9)


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "faces"


def test_match_threshold_and_best_template_per_person(hanoi_force: dict[str, Any], index_dir: Path) -> None:
    alice, bob = person(hanoi_force, "Nguyễn Thị A"), person(hanoi_force, "Trần Văn B")
    a1 = template(alice, descriptor(1))
    a2 = template(alice, near(descriptor(1), 0.2, seed=5))
    template(bob, descriptor(2))
    idx = FaceIndex(index_dir)
    probe = near(descriptor(1), 0.1)
    found = idx.match(probe, threshold=0.6)
    assert [m.person_id for m in found] == [alice.pk]  # bob is ~2.1 away; alice once, not twice
    assert found[0].template_id in {a1.pk, a2.pk}
    nearest = min(np.linalg.norm(probe - descriptor(1)), np.linalg.norm(probe - near(descriptor(1), 0.2, 5)))
    assert found[0].distance == pytest.approx(float(nearest), abs=1e-3)
    assert idx.match(near(descriptor(1), 0.45), threshold=0.3) == []
    with override_settings(THANGLONG_FACE_MATCH_THRESHOLD=0.05):
        assert idx.match(probe) == []  # the setting is the default threshold


def test_new_template_and_deactivation_seen_after_invalidate(
    hanoi_force: dict[str, Any], index_dir: Path
) -> None:
    alice = person(hanoi_force, "Nguyễn Thị A")
    template(alice, descriptor(1))
    idx = FaceIndex(index_dir)
    assert idx.match(descriptor(3)) == []
    carol = person(hanoi_force, "Lê Thị C")
    template(carol, descriptor(3))
    idx.invalidate()
    assert [m.person_id for m in idx.match(descriptor(3))] == [carol.pk]
    WatchPerson.objects.filter(pk=carol.pk).update(active=False, updated_at=timezone.now())
    idx.invalidate()
    assert idx.match(descriptor(3)) == []
    assert len(idx) == 1


def test_expired_person_not_matched(hanoi_force: dict[str, Any], index_dir: Path) -> None:
    old = person(hanoi_force, "Hết hạn", expires_at=timezone.now() - timedelta(days=1))
    template(old, descriptor(4))
    assert FaceIndex(index_dir).match(descriptor(4)) == []


def test_saved_index_reused_and_rebuilt_when_stale(hanoi_force: dict[str, Any], index_dir: Path) -> None:
    alice = person(hanoi_force, "Nguyễn Thị A")
    template(alice, descriptor(1))
    first = FaceIndex(index_dir)
    assert len(first.match(descriptor(1))) == 1
    files = sorted(p.name for p in index_dir.iterdir())
    assert len(files) == 2 and files[0].endswith(".npz") and files[1].endswith(".usearch")
    # Another process (a fresh object) loads the saved file instead of rebuilding.
    second = FaceIndex(index_dir)
    calls = count_builds(second)
    assert [m.person_id for m in second.match(descriptor(1))] == [alice.pk]
    assert calls == []
    # A new template changes the fingerprint: added to the loaded graph (no rebuild), saved under the
    # new fingerprint, and the old files are removed.
    template(alice, descriptor(6))
    assert second.match(descriptor(6))[0].person_id == alice.pk
    assert calls == [] and second.updates == 1
    assert len(list(index_dir.iterdir())) == 2
    restarted = FaceIndex(index_dir)  # a restart loads the updated file
    assert restarted.match(descriptor(6))[0].person_id == alice.pk and restarted.builds == 0
    # An unreadable file is rebuilt, not trusted.
    for path in index_dir.glob("*.usearch"):
        path.write_bytes(b"garbage")
    third = FaceIndex(index_dir)
    assert third.match(descriptor(6))[0].person_id == alice.pk


def test_module_functions_use_var_dir(hanoi_force: dict[str, Any], tmp_path: Path) -> None:
    alice = person(hanoi_force, "Nguyễn Thị A")
    template(alice, descriptor(1))
    with override_settings(VAR_DIR=tmp_path):
        face_index.invalidate()
        assert face_index.match(descriptor(1))[0].person_id == alice.pk
        assert (tmp_path / "faces").is_dir()


def test_index_saved_with_other_parameters_is_rebuilt(
    hanoi_force: dict[str, Any], index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """usearch's load adopts the file's graph parameters: an older file must not be loaded at all."""
    alice = person(hanoi_force, "Nguyễn Thị A")
    template(alice, descriptor(1))
    with monkeypatch.context() as patched:
        patched.setattr(face_index, "CONNECTIVITY", 8)
        patched.setattr(face_index, "EXPANSION_ADD", 16)
        patched.setattr(face_index, "DTYPE", "f32")
        old = FaceIndex(index_dir)
        assert old.match(descriptor(1))[0].person_id == alice.pk
        old_files = sorted(p.name for p in index_dir.iterdir())
    assert all("-c8a16f32-" in name for name in old_files)
    fresh = FaceIndex(index_dir)
    calls = count_builds(fresh)
    assert fresh.match(descriptor(1))[0].person_id == alice.pk
    assert calls == [1]
    assert fresh._index is not None
    assert fresh._index.connectivity == face_index.CONNECTIVITY
    assert str(fresh._index.dtype).lower().endswith(face_index.DTYPE)
    names = sorted(p.name for p in index_dir.iterdir())
    assert len(names) == 2 and not set(names) & set(old_files)  # the old files are gone
    # Loaded by another process: the search beam is this code's, not whatever the file carried.
    loaded = FaceIndex(index_dir)
    assert loaded.match(descriptor(1))[0].person_id == alice.pk
    assert loaded._index is not None and loaded._index.expansion_search == face_index.EXPANSION_SEARCH


def test_small_changes_update_the_graph_and_large_ones_rebuild_it(
    hanoi_force: dict[str, Any], index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a loaded index WHEN one person is enrolled and another deactivated THEN the graph is
    updated in place and answers for both at once; WHEN more changes at once than the update limit
    THEN the graph is rebuilt."""
    from thanglong.cameras.faces import index as index_module

    alice, bob = person(hanoi_force, "Nguyễn Thị A"), person(hanoi_force, "Trần Văn B")
    template(alice, descriptor(1))
    template(bob, descriptor(2))
    idx = FaceIndex(index_dir)
    assert len(idx) == 2 and idx.builds == 1
    carol = person(hanoi_force, "Lê Thị C")
    template(carol, descriptor(3))
    WatchPerson.objects.filter(pk=bob.pk).update(active=False, updated_at=timezone.now())
    idx.invalidate()
    assert [m.person_id for m in idx.match(descriptor(3))] == [carol.pk]
    assert idx.match(descriptor(2), threshold=0.3) == []  # bob's template left the graph
    assert (idx.builds, idx.updates, len(idx)) == (1, 1, 2)
    monkeypatch.setattr(index_module, "MIN_REBUILD_CHANGE", 1)
    for number in (4, 5):
        template(person(hanoi_force, f"Người {number}"), descriptor(number))
    idx.invalidate()
    assert len(idx) == 4 and idx.builds == 2


def test_an_in_place_update_is_saved_once_across_processes(
    hanoi_force: dict[str, Any], index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN two processes holding the same graph WHEN a person is enrolled THEN both answer for them,
    and only the first to update writes the updated file."""
    template(person(hanoi_force, "Nguyễn Thị A"), descriptor(1))
    first, second = FaceIndex(index_dir), FaceIndex(index_dir)
    assert len(first) == len(second) == 1
    saves: list[str] = []
    original = FaceIndex._save

    def counting_save(self: FaceIndex, *args: Any) -> None:
        saves.append(args[-1])
        original(self, *args)

    monkeypatch.setattr(FaceIndex, "_save", counting_save)
    carol = person(hanoi_force, "Lê Thị C")
    template(carol, descriptor(3))
    for idx in (first, second):
        idx.invalidate()
        assert [m.person_id for m in idx.match(descriptor(3))] == [carol.pk]
        assert idx.updates == 1
    assert len(saves) == 1
