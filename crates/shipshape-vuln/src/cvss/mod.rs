//! CVSS base scores (in progress).
