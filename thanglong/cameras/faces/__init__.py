"""Faces for the camera AI: dlib detection and 128-d descriptors, enrolment checks, 1:N search."""
