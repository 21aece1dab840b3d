Process insight: a stage analysis (entered, median stay, leavers churned
within a year, CSAT and quality per journey stage over a chosen window, with
the dashboard naming where satisfaction drops and whose leavers churn most),
an agent scorecard (opportunities name their agent; four quarters of won
revenue ranked by steadiness × revenue), *My Relationships* for each
salesperson next to the team's shares, and what makes customers return
(interactions after the first purchase, returners against non-returners, with
lift; on the partner, what preceded their return).
