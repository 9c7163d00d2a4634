"""A real RTSP server for the worker's tests: GStreamer's gst-rtsp-server serving JPEG frames as RTP.

Run with the system Python, which has the GObject bindings (Debian: python3-gi,
gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-good); it does not import Thăng Long.

    /usr/bin/python3 rtsp_server.py PORT VIDEO.avi

serves the Motion-JPEG AVI at ``rtsp://127.0.0.1:PORT/cam`` (RTP/JPEG, payload 26) in real time, on
the file's own clock, from its start for each new session, and prints ``ready`` once it listens.
SIGTERM stops it.
"""

from __future__ import annotations

import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main() -> None:
    port, video = sys.argv[1], sys.argv[2]
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    # Re-encoded by GStreamer: RTP/JPEG (RFC 2435) carries only the JPEG layouts its header can
    # describe, and OpenCV's Motion-JPEG frames arrive as green garbage when sent as they are.
    factory.set_launch(
        f'( filesrc location="{video}" ! avidemux ! jpegdec ! jpegenc quality=90 '
        "! rtpjpegpay name=pay0 pt=26 )"
    )
    factory.set_shared(True)  # one pipeline for every client, as a camera has
    server.get_mount_points().add_factory("/cam", factory)
    if server.attach(None) == 0:
        sys.exit(f"cannot listen on 127.0.0.1:{port}")
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    print("ready", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
