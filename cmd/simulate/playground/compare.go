package playground

import (
	"context"
	"encoding/json"

	"github.com/failsim/failsim/sim/experiment"
)

// CompareRequest is two settings of a scenario to run on the same seeds.
type CompareRequest struct {
	A     Spec `json:"a"`
	B     Spec `json:"b"`
	Seeds int  `json:"seeds"` // how many; the first is A's seed
}

// Compare runs A and B on the same seeds, as `simulate compare` does, and
// sends "progress" after each run, then "compare" with compare.json (its
// estimates with their 95% intervals, the differences and the verdict).
func (c *Config) Compare(ctx context.Context, req CompareRequest, emit Emit) error {
	if req.Seeds < 2 || req.Seeds > MaxSeeds {
		return inputErrorf("a comparison takes 2 to %d seeds, got %d", MaxSeeds, req.Seeds)
	}
	var sides []experiment.Side
	var first uint64
	for i, spec := range []Spec{req.A, req.B} {
		sc, src, err := c.load(spec)
		if err != nil {
			return err
		}
		if i == 0 {
			first = seedOf(spec, sc)
		}
		sides = append(sides, experiment.Side{Label: []string{"A", "B"}[i], Config: experiment.Config{
			File: src.file, Source: src.text, Dir: src.dir, Variant: spec.Variant, Settings: settings(spec.Sets)}})
	}
	seeds := make([]uint64, req.Seeds)
	for i := range seeds {
		seeds[i] = first + uint64(i)
	}
	cmp, err := experiment.NewComparison(sides, seeds)
	if err != nil {
		return problems(sides[0].File, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	id := c.register(cancel)
	defer c.unregister(id)
	if err := send(emit, map[string]any{"type": "progress", "id": id, "done": 0, "total": cmp.Runs()}); err != nil {
		return err
	}
	par := c.Parallel
	if par == nil {
		par = experiment.Sequential
	}
	var sendErr error
	res, err := cmp.Run(ctx, par, func(done, total int) {
		if sendErr == nil {
			if sendErr = send(emit, map[string]any{"type": "progress", "id": id, "done": done, "total": total}); sendErr != nil {
				cancel()
			}
		}
		if c.Yield != nil {
			c.Yield()
		}
	})
	if sendErr != nil {
		return sendErr
	}
	if err != nil {
		if ctx.Err() != nil {
			return inputErrorf("the comparison was stopped")
		}
		return err
	}
	b, err := res.JSON()
	if err != nil {
		return err
	}
	return send(emit, map[string]any{"type": "compare", "result": json.RawMessage(b)})
}
