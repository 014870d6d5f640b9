"""The audit trail, for those who review it: who opened, searched, changed or exported what."""
