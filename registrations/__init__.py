"""Training and seminar registration for international security cooperation."""
