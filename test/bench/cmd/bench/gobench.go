package main

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// goBenchCount is how many times each engine benchmark runs; the report
// gives the median ns/op (allocations do not vary).
const goBenchCount = 3

// goBenchResult is one in-process engine benchmark: the api's own work per
// request, without network or HTTP parsing.
type goBenchResult struct {
	name                    string
	nsPerOp                 []float64
	bytesPerOp, allocsPerOp float64
}

var goBenchLine = regexp.MustCompile(`^(BenchmarkEngine/\S+?)(?:-\d+)?\s+\d+\s+([0-9.]+) ns/op\s+([0-9.]+) B/op\s+([0-9.]+) allocs/op`)

// runGoBenchmarks runs BenchmarkEngine of test/bench (alloc_test.go):
// allocs/op and B/op of a cached redirect and of a cache miss through the
// whole engine, with the figures TestAllocsPerRedirect pins.
func (b *bench) runGoBenchmarks(ctx context.Context) error {
	b.logf("engine benchmarks: go test ./test/bench -bench '^BenchmarkEngine$' -benchmem -count %d", goBenchCount)
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^BenchmarkEngine$", "-benchmem",
		"-count", strconv.Itoa(goBenchCount), "./test/bench")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("engine benchmarks: %w\n%s", err, out)
	}
	byName := map[string]*goBenchResult{}
	for line := range strings.Lines(string(out)) {
		m := goBenchLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		r := byName[m[1]]
		if r == nil {
			r = &goBenchResult{name: m[1]}
			byName[m[1]] = r
			b.goBench = append(b.goBench, r)
		}
		ns, _ := strconv.ParseFloat(m[2], 64)
		r.nsPerOp = append(r.nsPerOp, ns)
		r.bytesPerOp, _ = strconv.ParseFloat(m[3], 64)
		r.allocsPerOp, _ = strconv.ParseFloat(m[4], 64)
	}
	if len(b.goBench) == 0 {
		return fmt.Errorf("engine benchmarks printed no result:\n%s", out)
	}
	for _, r := range b.goBench {
		b.logf("engine %s: %.0f ns/op, %.0f B/op, %.0f allocs/op", r.name, median(r.nsPerOp), r.bytesPerOp, r.allocsPerOp)
	}
	return nil
}
