Scale: CS health of every relationship grows linearly with the data (id-range
batches, a covering index on documented interaction quality) and its job
resumes where a stopped run left off; KPI snapshots stay unique when two runs
of one KPI overlap (unique index, serialization retry; 19.0.1.1.0 removes
older duplicates); the benchmark's generator is checked against the ORM and
the KPI reference by the test suite.
