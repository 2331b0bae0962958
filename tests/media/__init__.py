"""Tests of the media package: one module per media module, plus a loopback WebRTC test."""
