"""The analytics worker: reads camera streams, video files and stills, and records plate/face events."""
