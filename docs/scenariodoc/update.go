package scenariodoc

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color/palette"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/scenarios"
	"github.com/failsim/failsim/sim/experiment"
	"github.com/failsim/failsim/sim/results"
)

// MaxImageBytes bounds a dashboard image, so that the pages stay light in
// the repository: a paletted PNG of the dashboard takes about a third of it.
const MaxImageBytes = 200_000

// Update rewrites the generated sections of the page of every shipped
// scenario in dir (creating a skeleton for a scenario without one) and
// renders their dashboards into dir/images. It returns what is left to do
// by hand: pages whose narrative is not written yet.
func Update(ctx context.Context, dir string, par experiment.Parallel) (todoPages []string, err error) {
	entries, err := library()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "images"), 0o755); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, e := range entries {
		runs, err := runAll(ctx, e, par)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name, err)
		}
		page, _, err := readPage(dir, e.Name)
		if err != nil {
			return nil, err
		}
		page, err = fill(page, sections(e, runs))
		if err != nil {
			return nil, fmt.Errorf("%s.md: %w", e.Name, err)
		}
		files[filepath.Join(dir, e.Name+".md")] = []byte(page)
		if strings.Contains(page, todo) {
			todoPages = append(todoPages, filepath.Join(dir, e.Name+".md"))
		}
		for _, r := range runs {
			b, err := dashboard(r.res)
			if err != nil {
				return nil, fmt.Errorf("%s, %s: %w", e.Name, r.label(), err)
			}
			files[filepath.Join(dir, imagePath(e.Name, r.label()))] = b
		}
	}
	return todoPages, results.WriteFilesAtomic(files)
}

// Check compares every shipped scenario's page in dir with what Update would
// write, without rendering images, and lists what is wrong: a missing or
// stale page, narrative not written, a missing or oversized image, a page
// for a scenario that is not shipped.
func Check(ctx context.Context, dir string, par experiment.Parallel) ([]string, error) {
	entries, err := library()
	if err != nil {
		return nil, err
	}
	var problems []string
	shipped := map[string]bool{}
	for _, e := range entries {
		shipped[e.Name+".md"] = true
		ps, err := checkPage(ctx, dir, e, par)
		if err != nil {
			return nil, err
		}
		problems = append(problems, ps...)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	for _, p := range pages {
		if b := filepath.Base(p); !shipped[b] {
			problems = append(problems, fmt.Sprintf("%s describes no shipped scenario", b))
		}
	}
	return problems, nil
}

// checkPage lists what is wrong with the page of e.
func checkPage(ctx context.Context, dir string, e scenarios.Entry, par experiment.Parallel) ([]string, error) {
	page, exists, err := readPage(dir, e.Name)
	if err != nil {
		return nil, err
	}
	if !exists {
		return []string{fmt.Sprintf("%s.md is missing: run 'simulate docs', then write its narrative", e.Name)}, nil
	}
	runs, err := runAll(ctx, e, par)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Name, err)
	}
	want, err := fill(page, sections(e, runs))
	if err != nil {
		return []string{fmt.Sprintf("%s.md: %v", e.Name, err)}, nil
	}
	var problems []string
	if want != page {
		problems = append(problems, fmt.Sprintf("%s.md is stale (%s): run 'simulate docs'", e.Name, firstDifference(page, want)))
	}
	if strings.Contains(page, todo) {
		problems = append(problems, fmt.Sprintf("%s.md: the narrative is not written (%s)", e.Name, todo))
	}
	for _, r := range runs {
		p := imagePath(e.Name, r.label())
		switch st, err := os.Stat(filepath.Join(dir, p)); {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s is missing: run 'simulate docs'", p))
		case st.Size() > MaxImageBytes:
			problems = append(problems, fmt.Sprintf("%s has %d bytes, more than %d", p, st.Size(), MaxImageBytes))
		}
	}
	return problems, nil
}

// firstDifference quotes the first line where a page differs from what it
// should be.
func firstDifference(have, want string) string {
	h, w := strings.Split(have, "\n"), strings.Split(want, "\n")
	for i := range min(len(h), len(w)) {
		if h[i] != w[i] {
			return fmt.Sprintf("line %d is %q, should be %q", i+1, h[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, should be %d", len(h), len(w))
}

// dashboard renders a run's dashboard as a paletted PNG: plots draw few
// colours, and a palette keeps the file small.
func dashboard(r *results.Run) ([]byte, error) {
	fig := plots.Dashboard(r)
	if fig == nil {
		return nil, fmt.Errorf("the run has nothing to draw")
	}
	full, err := fig.PNG()
	if err != nil {
		return nil, err
	}
	img, err := png.Decode(bytes.NewReader(full))
	if err != nil {
		return nil, err
	}
	pal := image.NewPaletted(img.Bounds(), palette.Plan9)
	draw.Draw(pal, img.Bounds(), img, image.Point{}, draw.Src)
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, pal); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
