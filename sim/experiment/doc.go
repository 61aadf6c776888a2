// Package experiment turns single runs into answers: it replicates a
// scenario over seeds, as many at once as the caller's Parallel allows, and
// estimates each outcome with a 95% confidence interval. Compare runs
// several variants or files on the same seeds (common random numbers) and
// judges their differences with paired intervals; Sweep runs a grid of
// settings, one JSON line per run as runs finish, resumable and shardable
// across machines (results.Merge joins the shards); FindEdge bisects one
// setting for where the system stops recovering from its faults.
//
// An experiment takes Configs, a scenario file's text with the folder its
// imports are read from, a variant and settings; it does not know names of
// shipped scenarios or flags (the command line resolves both). What it
// writes, and how each number is computed from the runs, is package
// results.
//
// Every run is a pure function of the scenario text, its settings and its
// seed, and every number is computed from the runs in their fixed order,
// never in the order they finished: the same experiment gives the same
// bytes whatever the number of cores, shards or interruptions.
package experiment
