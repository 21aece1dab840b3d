# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Time the related-knowledge search on a corpus of generated tickets.

Run inside ``odoo-bin shell`` on a throwaway database with xrm_relationship
installed: ``XRM_TICKETS`` tickets (default 50,000, 90 % resolved) are added
by SQL and committed, once, then analysed as autovacuum would. Words follow
a Zipf law over a 5,000-word vocabulary plus common English words, so that
some words are everywhere and most are rare, as in real tickets. Prints the
median and worst time of the search for 30 new tickets (not committed).
"""

import os
import random
import statistics
import time

env = globals()["env"]  # provided by odoo shell
cr = env.cr
N = int(os.environ.get("XRM_TICKETS", "50000"))
rng = random.Random(7)
COMMON = (
    "the a is not after when our we it to of and in on with for this that "
    "since again error problem please help cannot does".split()
)
VOCAB = [
    "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 10)))
    for _ in range(5000)
]
WEIGHTS = [1 / (rank + 1) for rank in range(len(VOCAB))]


def text(words):
    picked = rng.choices(VOCAB, WEIGHTS, k=words)
    picked += rng.choices(COMMON, k=words // 2)
    rng.shuffle(picked)
    return " ".join(picked)


company = env.ref("base.main_company").id
done = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id
new = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new").id
rows = [
    (
        f"G{i:06d}",
        text(rng.randint(3, 7)),
        f"<p>{text(rng.randint(20, 60))}</p>",
        done if rng.random() < 0.9 else new,
        company,
    )
    for i in range(N)
]
start = time.time()
cr.execute("SELECT count(*) FROM helpdesk_ticket WHERE number LIKE 'G%%'")
if cr.fetchone()[0] < N:
    cr.executemany(
        "INSERT INTO helpdesk_ticket (number, name, description, stage_id, company_id,"
        " priority, active, rating_status, create_date, write_date) "
        "VALUES (%s, %s, %s, %s, %s, '1', TRUE, 'no_rate', now(), now())",
        rows,
    )
    cr.execute("ANALYZE helpdesk_ticket")
    cr.commit()
    print(f"[similar] {N} tickets inserted and analysed in {time.time() - start:.1f}s")
Suggestion = env["xrm.ticket.suggestion"]
Ticket = env["helpdesk.ticket"].with_context(xrm_no_suggestions=True)
timings = []
found = []
for _i in range(30):
    ticket = Ticket.create(
        {
            "name": text(5),
            "description": f"<p>{text(40)}</p>",
            "company_id": company,
            "stage_id": new,
        }
    )
    ticket.flush_recordset()
    t0 = time.perf_counter()
    result = Suggestion._xrm_similar_tickets(ticket)
    timings.append(time.perf_counter() - t0)
    found.append(len(result))
print(
    f"[similar] search on {N} tickets: median {statistics.median(timings) * 1000:.0f} ms,"
    f" worst {max(timings) * 1000:.0f} ms, suggestions per ticket"
    f" {statistics.mean(found):.1f}"
)
cr.rollback()
