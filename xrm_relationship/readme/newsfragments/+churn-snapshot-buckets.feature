Nightly churn scoring rescores a relationship for a new health snapshot only when the snapshot moves one of its churn buckets (CX, CO, CX change), not for every snapshot the health job writes.
