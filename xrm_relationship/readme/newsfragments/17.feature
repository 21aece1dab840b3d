Scale ×10: the nightly health, tier, churn-risk and early-warning jobs
recompute only the relationships whose inputs changed or whose windows moved
past an input (a watermark per job, resumable, same results as a full run);
capture on message posting, activity done and lead creation batched and
cheaper; early warnings capped per salesperson (Settings, default 50), the
most urgent first, so a first night on a million relationships opens
hundreds, not a million; a benchmark at 1× and 10× and a read-replica test
setup (``tools/replica``).
Health and tier batches no longer joined to themselves row by row by the
query planner (every partner's health at a million relationships 186 s ->
118 s), churn scoring three times cheaper per batch, and a health colour or
churn risk that moved is recorded for the early warnings only.
The write path: captured drafts stored in one INSERT (what create() would
store, same checks; create() still used when another addon or an automation
rule extends it), and the addon's partner, lead and ticket columns out of
Odoo's default prefetch, so a partner read for a message no longer carries
forty relationship columns (an incoming email on a partner 1.43x -> about
1.2x the time without the addon, a note 1.09x -> 1.03x).
Related knowledge at 500,000 tickets: words in more than 1,000 tickets are
not searched, and the word statistics list 3,000 words (339 ms -> 40 ms per
search on the same machine).
