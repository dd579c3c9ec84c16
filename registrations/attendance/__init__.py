"""Attendance: marks per session day, and the rates that decide certificates."""
