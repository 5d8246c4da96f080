package bench

import (
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"testing"
)

// gcStats reads the collector's share of this process's CPU and the heap
// it scans, from runtime/metrics: a wrk run reports them beside
// server-cpu-ns/req (issue 29: less for the collector to scan).
type gcStats struct {
	gcCPU, totalCPU float64 // /cpu/classes/…:cpu-seconds, cumulative
	cycles          uint64  // /gc/cycles/total:gc-cycles, cumulative
	live, scanHeap  uint64  // /gc/heap/live:bytes, /gc/scan/heap:bytes at the last cycle
}

var gcStatNames = []string{
	"/cpu/classes/gc/total:cpu-seconds",
	"/cpu/classes/total:cpu-seconds",
	"/gc/cycles/total:gc-cycles",
	"/gc/heap/live:bytes",
	"/gc/scan/heap:bytes",
}

func readGCStats() gcStats {
	s := make([]metrics.Sample, len(gcStatNames))
	for i, n := range gcStatNames {
		s[i].Name = n
	}
	metrics.Read(s)
	u := func(i int) uint64 {
		if s[i].Value.Kind() == metrics.KindUint64 {
			return s[i].Value.Uint64()
		}
		return 0
	}
	f := func(i int) float64 {
		if s[i].Value.Kind() == metrics.KindFloat64 {
			return s[i].Value.Float64()
		}
		return 0
	}
	return gcStats{gcCPU: f(0), totalCPU: f(1), cycles: u(2), live: u(3), scanHeap: u(4)}
}

// gcShare is the collector's share of CPU between two reads, in percent
// (the runtime's estimate: GC workers and assists over all CPU).
func gcShare(a, b gcStats) float64 {
	if b.totalCPU <= a.totalCPU {
		return 0
	}
	return 100 * (b.gcCPU - a.gcCPU) / (b.totalCPU - a.totalCPU)
}

// writeHeapProfile writes the live heap, after a collection, to the file
// BENCH_HEAP_PROFILE names (with the benchmark's name before its
// extension), while the server under test is still up: what the
// collector marks each cycle of the run (go tool pprof -sample_index
// inuse_space).
func writeHeapProfile(b *testing.B) {
	path := os.Getenv("BENCH_HEAP_PROFILE")
	if path == "" {
		return
	}
	base, ext, _ := strings.Cut(path, ".")
	f, err := os.Create(base + "-" + strings.NewReplacer("/", "-", "+", "-").Replace(b.Name()) + "." + ext)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Fatal(err)
	}
}
