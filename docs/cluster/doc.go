// Package cluster owns the tests of the cluster recipes beside it: the
// Slurm batch scripts (sweep.slurm, merge.slurm), the Kubernetes manifests
// (sweep-job.yaml, merge-job.yaml) and the image they run (Dockerfile). It
// has no code of its own; docs/experiments.md, section "Running a sweep on a
// cluster", is what the recipes promise and what the tests hold them to.
//
// The fast tests run in go test ./...: both manifests decode strictly into
// the Kubernetes API types (batch/v1 Job, core/v1 PersistentVolumeClaim;
// an unknown field is an error), the sweep is an Indexed Job whose
// completions and parallelism are the N of its --shard /N, and the
// simulate commands of the manifests and of the Slurm scripts are the same
// but for where the program, the scenarios and the results are, the shard
// count and the workers per shard. The Slurm scripts' expansions are
// checked by running them with bash against a stand-in simulate.
//
// TestSlurmSweep runs the Slurm recipe for real: it needs a running Slurm
// and runs only with FAILSIM_SLURM=1, which .ci/slurm sets after starting
// munged, slurmctld and slurmd on one node. It submits sweep.slurm as an
// array of four shards and merge.slurm after it, as docs/experiments.md
// says, and compares what the merge wrote with the same sweep run on one
// machine, byte for byte.
package cluster
