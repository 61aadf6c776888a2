package cluster

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/failsim/failsim/sim/experiment"
)

// manifests are the objects of docs/cluster's Kubernetes manifests,
// decoded strictly.
type manifests struct {
	claim        *corev1.PersistentVolumeClaim
	sweep, merge *batchv1.Job
}

// decode reads a file of YAML documents into the objects it declares,
// strictly: an unknown or repeated field is an error, and so is a kind
// other than a batch/v1 Job or a v1 PersistentVolumeClaim.
func decode(file string) ([]any, error) {
	text, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var objects []any
	for i, doc := range regexp.MustCompile(`(?m)^---[ \t]*$`).Split(string(text), -1) {
		if strings.TrimSpace(regexp.MustCompile(`(?m)^\s*#.*$`).ReplaceAllString(doc, "")) == "" {
			continue
		}
		var meta metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			return nil, fmt.Errorf("%s, document %d: %v", file, i+1, err)
		}
		var object any
		switch meta.APIVersion + " " + meta.Kind {
		case "batch/v1 Job":
			object = &batchv1.Job{}
		case "v1 PersistentVolumeClaim":
			object = &corev1.PersistentVolumeClaim{}
		default:
			return nil, fmt.Errorf("%s, document %d: apiVersion %q kind %q, want a batch/v1 Job or a v1 PersistentVolumeClaim", file, i+1, meta.APIVersion, meta.Kind)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), object); err != nil {
			return nil, fmt.Errorf("%s, document %d (%s): %v", file, i+1, meta.Kind, err)
		}
		objects = append(objects, object)
	}
	return objects, nil
}

func readManifests(t *testing.T) manifests {
	t.Helper()
	var m manifests
	for _, file := range []string{"sweep-job.yaml", "merge-job.yaml"} {
		objects, err := decode(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objects {
			switch o := o.(type) {
			case *corev1.PersistentVolumeClaim:
				if m.claim != nil {
					t.Fatalf("%s: a second PersistentVolumeClaim", file)
				}
				m.claim = o
			case *batchv1.Job:
				if file == "sweep-job.yaml" && m.sweep == nil {
					m.sweep = o
				} else if file == "merge-job.yaml" && m.merge == nil {
					m.merge = o
				} else {
					t.Fatalf("%s: more than one Job", file)
				}
			}
		}
	}
	if m.claim == nil || m.sweep == nil || m.merge == nil {
		t.Fatalf("want a PersistentVolumeClaim and a Job in sweep-job.yaml and a Job in merge-job.yaml; have claim %v, sweep %v, merge %v",
			m.claim != nil, m.sweep != nil, m.merge != nil)
	}
	return m
}

func TestDecodeIsStrict(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ name, text, err string }{
		{"unknown field", "apiVersion: batch/v1\nkind: Job\nspec:\n  completionMod: Indexed\n", `unknown field "completionMod"`},
		{"repeated field", "apiVersion: batch/v1\nkind: Job\nspec:\n  completions: 3\n  completions: 4\n", "already set"},
		{"wrong type", "apiVersion: batch/v1\nkind: Job\nspec:\n  completions: three\n", "cannot unmarshal"},
		{"other kind", "apiVersion: apps/v1\nkind: Deployment\n", "want a batch/v1 Job"},
	} {
		file := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".yaml")
		if err := os.WriteFile(file, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := decode(file); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: error %v, want one with %q", c.name, err, c.err)
		}
	}
}

// container is the one container of a Job's pods.
func container(t *testing.T, job *batchv1.Job) corev1.Container {
	t.Helper()
	spec := job.Spec.Template.Spec
	if len(spec.Containers) != 1 || len(spec.InitContainers) != 0 {
		t.Fatalf("Job %s: %d containers and %d init containers, want one container", job.Name, len(spec.Containers), len(spec.InitContainers))
	}
	// A Job's pods must not restart in place: the Job starts a new pod (and
	// --resume keeps what the last one finished).
	if p := spec.RestartPolicy; p != corev1.RestartPolicyNever && p != corev1.RestartPolicyOnFailure {
		t.Errorf("Job %s: restartPolicy %q, want Never or OnFailure", job.Name, p)
	}
	return spec.Containers[0]
}

// resultsMount is where a Job mounts the claim, and checks that it does.
func resultsMount(t *testing.T, job *batchv1.Job, claim string) string {
	t.Helper()
	c := container(t, job)
	var volume string
	for _, v := range job.Spec.Template.Spec.Volumes {
		if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == claim {
			volume = v.Name
		}
	}
	for _, m := range c.VolumeMounts {
		if volume != "" && m.Name == volume && !m.ReadOnly {
			return m.MountPath
		}
	}
	t.Fatalf("Job %s does not mount the claim %s writable", job.Name, claim)
	return ""
}

// imageScenarios is where docs/cluster/Dockerfile puts the scenarios.
func imageScenarios(t *testing.T) string {
	t.Helper()
	text, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^COPY scenarios (\S+)$`).FindSubmatch(text)
	if m == nil {
		t.Fatal("Dockerfile: no COPY scenarios line")
	}
	return strings.TrimSuffix(string(m[1]), "/") + "/"
}

// kubernetes is the site of the manifests, read from them: simulate on
// the image's PATH, the scenarios where the Dockerfile copies them, the
// results on the claim's mount, the shard count the sweep's completions
// and its workers the CPUs its pods request.
func kubernetes(t *testing.T, m manifests) site {
	t.Helper()
	if mode := m.sweep.Spec.CompletionMode; mode == nil || *mode != batchv1.IndexedCompletion {
		t.Fatalf("Job %s: completionMode %v, want Indexed (each pod's JOB_COMPLETION_INDEX is its shard)", m.sweep.Name, mode)
	}
	completions, parallelism := m.sweep.Spec.Completions, m.sweep.Spec.Parallelism
	if completions == nil || parallelism == nil || *completions < 1 || *parallelism != *completions {
		t.Fatalf("Job %s: completions %v and parallelism %v, want the same shard count, one pod per shard", m.sweep.Name, completions, parallelism)
	}
	results := resultsMount(t, m.sweep, m.claim.Name)
	if merge := resultsMount(t, m.merge, m.claim.Name); merge != results {
		t.Fatalf("the sweep mounts the results at %s, the merge at %s", results, merge)
	}
	cpu, ok := container(t, m.sweep).Resources.Requests[corev1.ResourceCPU]
	if !ok || cpu.MilliValue()%1000 != 0 {
		t.Fatalf("Job %s requests cpu %v, want a whole number of CPUs (the --jobs of its shards)", m.sweep.Name, cpu.String())
	}
	return site{
		name:       "Kubernetes",
		program:    "simulate",
		scenarios:  imageScenarios(t),
		results:    strings.TrimSuffix(results, "/") + "/",
		shardCount: "/" + strconv.Itoa(int(*completions)),
		workers:    strconv.FormatInt(cpu.Value(), 10),
	}
}

// The manifests are what docs/experiments.md says: a ReadWriteMany claim
// shared by an Indexed Job of three shards and a merge Job, both running
// the image of the Dockerfile.
func TestManifests(t *testing.T) {
	m := readManifests(t)
	if !slices.Contains(m.claim.Spec.AccessModes, corev1.ReadWriteMany) {
		t.Errorf("claim %s: access modes %v, want ReadWriteMany (every shard writes into it)", m.claim.Name, m.claim.Spec.AccessModes)
	}
	k := kubernetes(t, m)
	if k.shardCount != "/3" {
		t.Errorf("the sweep runs %s shards; docs/experiments.md says three", strings.TrimPrefix(k.shardCount, "/"))
	}
	if a, b := container(t, m.sweep).Image, container(t, m.merge).Image; a != b {
		t.Errorf("the sweep runs image %s, the merge %s", a, b)
	}
	if m.sweep.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("the sweep's restartPolicy is %q: a failed shard must start in a new pod, where --resume keeps its runs", m.sweep.Spec.Template.Spec.RestartPolicy)
	}
}

// kubernetesCommands are the sweep's and the merge's commands of the
// manifests; the merge runs in sh -c, for the glob.
func kubernetesCommands(t *testing.T, m manifests) (sweep, merge []string) {
	t.Helper()
	sweep = container(t, m.sweep).Command
	if args := container(t, m.sweep).Args; len(args) > 0 {
		sweep = append(slices.Clone(sweep), args...)
	}
	for _, w := range sweep {
		if strings.Contains(w, "$") {
			t.Fatalf("the sweep's command has %q: Kubernetes would expand $(...) in it", w)
		}
	}
	c := container(t, m.merge)
	if len(c.Command) != 3 || c.Command[0] != "sh" || c.Command[1] != "-c" || len(c.Args) > 0 {
		t.Fatalf("the merge's command is %q, want sh -c 'simulate merge ...' (sh expands the glob)", c.Command)
	}
	merge, err := shellWords(c.Command[2])
	if err != nil {
		t.Fatal(err)
	}
	return sweep, merge
}

// The Kubernetes Jobs and the Slurm scripts run the same sweep and the same
// merge: their simulate commands are the same words but for where things
// are (simulate built at the repository root or on the image's PATH,
// scenarios/ and results/ under the repository root or at the image's and
// the volume's paths), the shard count (the array's size or the Job's
// completions) and the workers per shard (the CPUs Slurm gives a task or
// those a pod requests; the same number in both recipes).
func TestKubernetesAndSlurmRunTheSameCommands(t *testing.T) {
	m := readManifests(t)
	k := kubernetes(t, m)
	kSweep, kMerge := kubernetesCommands(t, m)
	sSweep := scriptCommand(t, "sweep.slurm", "./simulate")
	sMerge := scriptCommand(t, "merge.slurm", "./simulate")
	for _, c := range []struct {
		name             string
		kubernetes, slur []string
	}{{"sweep", kSweep, sSweep}, {"merge", kMerge, sMerge}} {
		kc, err := k.canonical(c.kubernetes)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := slurm.canonical(c.slur)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(kc, sc) {
			t.Errorf("the %s commands differ:\nKubernetes: %q\nSlurm:      %q", c.name, kc, sc)
		}
		if kc[1] != c.name {
			t.Errorf("the %s recipes run simulate %s", c.name, kc[1])
		}
	}

	// The sweep is sharded, resumable, and writes where the merge reads.
	for _, flag := range []string{"--shard", "--resume", "--jobs", "--out"} {
		if !slices.Contains(sSweep, flag) {
			t.Errorf("the sweep has no %s", flag)
		}
	}
	out, _ := flagValue(sSweep, "--out")
	if len(sMerge) != 4 || sMerge[2] != out || filepath.Dir(sMerge[3]) != out {
		t.Fatalf("merge.slurm runs %q; want simulate merge %s %s/GLOB", sMerge, out, out)
	}
	glob := filepath.Base(sMerge[3])
	for n := 1; n <= 12; n++ {
		for i := range n {
			if ok, err := filepath.Match(glob, experiment.RunsFile(experiment.Shard{Index: i, Count: n})); err != nil || !ok {
				t.Fatalf("the merge's %s misses shard %d of %d", glob, i, n)
			}
		}
	}
	for _, name := range []string{"runs.jsonl", "sweep.json", "sweep-outcomes.png"} {
		if ok, _ := filepath.Match(glob, name); ok {
			t.Errorf("the merge's %s takes %s, which is not a shard", glob, name)
		}
	}

	// The same number of shards and of workers per shard in both.
	opts := sbatchOptions(t, "sweep.slurm")
	if want := "0-" + strconv.Itoa(mustAtoi(t, strings.TrimPrefix(k.shardCount, "/"))-1); opts["array"] != want {
		t.Errorf("sweep.slurm: --array=%s; the Indexed Job runs %s shards, so want --array=%s", opts["array"], strings.TrimPrefix(k.shardCount, "/"), want)
	}
	if opts["cpus-per-task"] != k.workers {
		t.Errorf("sweep.slurm: --cpus-per-task=%s; the Indexed Job's pods request %s CPUs", opts["cpus-per-task"], k.workers)
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A change in docs/cluster that a reader copies from docs/experiments.md is
// in step: the page quotes the array, the Job's shape and the merge's glob.
func TestExperimentsPageQuotesTheRecipes(t *testing.T) {
	page, err := os.ReadFile("../experiments.md")
	if err != nil {
		t.Fatal(err)
	}
	m := readManifests(t)
	_, kMerge := kubernetesCommands(t, m)
	opts := sbatchOptions(t, "sweep.slurm")
	n := strconv.Itoa(int(*m.sweep.Spec.Completions))
	text := bytes.Join(bytes.Fields(page), []byte(" ")) // lines joined
	for _, want := range []string{
		"`--array=" + opts["array"] + "`",
		"`completions: " + n + "`",
		"`parallelism: " + n + "`",
		"--shard /" + n,
		strings.Join(kMerge, " "),
		"sbatch --array=0-3 docs/cluster/sweep.slurm",
		".ci/slurm",
	} {
		if !bytes.Contains(text, []byte(want)) {
			t.Errorf("docs/experiments.md does not quote %s", want)
		}
	}
}
