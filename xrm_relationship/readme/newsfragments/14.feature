Product feedback: requests, problems, ideas and praise logged in one click
from an interaction, a ticket or a goal; a ranking for the product team (new
group *Product Team*, managers included) by relationships asking, their won
revenue of the last year and how many of them are at risk, over each
feedback and its merged duplicates; a workflow new → planned → in progress →
shipped / declined, and one activity per asking relationship for its
salesperson when it ships.
