// Package check reads a validated scenario the way a design reviewer does and
// reports the assumptions its components make about each other that do not
// fit: a caller that gives up while its callee keeps working, retries that
// multiply or overlap, load that retries push past a tier's capacity, queues
// without bounds, breakers and budgets that cannot do their job. Nothing is
// simulated; every finding follows from the configuration alone.
//
// It owns the rules (their ids, severities and explanations), the static
// analysis they share (per-service view of the call graph, how long each
// component may keep a call, the load each tier receives) and the report
// formats: text for people, JSON for tools and SARIF 2.1.0 for code review.
// docs/check.md describes every rule.
package check
