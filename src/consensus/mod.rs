//! Pure consensus rules (to be filled in).
