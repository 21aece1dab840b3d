Trust: an access matrix of every model and kind of user (ORM, JSON-2,
XML-RPC); company rules on incentive runs; portal users no longer read XRM
fields of their own company; KPI configuration and recomputation for
managers only; wrong-typed input refused with a clear message; concurrent
documenting of one interaction refused instead of merged; a clean
uninstall; SECURITY.md.
