// Package human writes what the tool tells people in the same words
// everywhere: quantities (durations, seconds, percentages, periods), the
// numbers a setting holds, and the did-you-mean every input error offers.
// The command line, the report, the docs pages, the checks and the
// narrated traces all write through it.
//
// Each writer has one style, named for where it is used; the examples show
// them side by side. Nothing here depends on the clock or on locale: the
// same value always gives the same text.
package human
