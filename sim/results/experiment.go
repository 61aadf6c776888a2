package results

// FormatVersion is the version of the files this package writes (compare.json,
// sweep.json, runs.jsonl). Files of another version are not resumed or
// merged.
const FormatVersion = 1

// InputError is a mistake in what the user asked for (a metric that does
// not exist, a runs file of another sweep): the command line reports it
// as bad input.
type InputError string

func (e InputError) Error() string { return string(e) }
