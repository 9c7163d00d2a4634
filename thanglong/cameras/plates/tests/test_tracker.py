from thanglong.cameras.engines import PlateRead
from thanglong.cameras.plates.tracker import PlateTracker


def _read(
    text: str, conf: float = 0.8, box: tuple[int, int, int, int] = (100, 100, 120, 30), raw: str = ""
) -> PlateRead:
    return PlateRead(text=text, confidence=conf, box=box, raw=raw or text.replace("-", "").replace(".", ""))


def test_votes_per_position_across_frames() -> None:
    tracker = PlateTracker(max_gap_s=1.0, min_reads=2)
    # The most confident single read is wrong (B for 8); the per-position vote fixes it.
    frames = [
        [_read("30A-123.45", 0.7)],
        [_read("30A-128.45", 0.9)],
        [_read("30A-123.45", 0.6)],
        [_read("30A-123.46", 0.65)],
    ]
    ended = []
    for i, reads in enumerate(frames):
        ended += tracker.update(i * 0.2, i, reads)
    assert ended == []
    # Far later: the pass has ended.
    passes = tracker.update(10.0, 50, [])
    assert len(passes) == 1
    p = passes[0]
    assert p.text == "30A-123.45"
    assert p.reads == 4 and p.first_seen == 0.0 and p.last_seen == 0.6000000000000001
    assert p.best.text == "30A-123.45" and p.best_frame == 0
    assert 0 < p.confidence <= 1


def test_two_vehicles_and_min_reads() -> None:
    tracker = PlateTracker(max_gap_s=1.0, min_reads=2)
    a, b = (10, 10, 100, 25), (600, 300, 100, 25)
    tracker.update(0.0, 0, [_read("30A-123.45", box=a), _read("51F-999.88", box=b)])
    tracker.update(0.2, 1, [_read("30A-123.45", box=a), _read("51F-999.88", box=b)])
    tracker.update(0.4, 2, [_read("29B1-234.56", box=(300, 300, 60, 45))])  # seen once only
    passes = tracker.flush()
    assert sorted(p.text for p in passes) == ["30A-123.45", "51F-999.88"]
    assert tracker.flush() == []


def test_unreadable_frames_join_by_position() -> None:
    tracker = PlateTracker(max_gap_s=1.0, min_reads=2)
    box = (200, 200, 120, 30)
    tracker.update(0.0, 0, [_read("", 0.1, box, raw="30")])
    tracker.update(0.1, 1, [_read("30A-123.45", 0.8, (205, 202, 120, 30))])
    passes = tracker.flush()
    assert len(passes) == 1 and passes[0].text == "30A-123.45" and passes[0].reads == 2


def test_same_plate_returning_later_is_a_new_pass() -> None:
    tracker = PlateTracker(max_gap_s=2.0, min_reads=1)
    tracker.update(0.0, 0, [_read("30A-123.45")])
    ended = tracker.update(5.0, 100, [_read("30A-123.45")])
    assert [p.text for p in ended] == ["30A-123.45"]
    assert [p.first_seen for p in tracker.flush()] == [5.0]
