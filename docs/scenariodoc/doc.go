// Package scenariodoc keeps docs/scenarios/NAME.md in step with the shipped
// scenarios. A page is hand-written narrative with generated sections
// between markers:
//
//	<!-- BEGIN GENERATED summary: simulate docs rewrites this -->
//	...
//	<!-- END GENERATED summary -->
//
// The generated sections are the scenario's description and variants, its
// topology drawn as Graphviz DOT, the key numbers of a run of the base and
// of every variant (at the scenario's seed and duration), links to their
// dashboards, and the commands that reproduce them. Update rewrites the
// sections and renders the dashboards; Check compares the sections with
// what Update would write, without rendering, so that a test can fail on a
// stale page in seconds. A shipped scenario without a page gets a skeleton
// whose narrative headings say what to write.
package scenariodoc
