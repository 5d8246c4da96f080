package main

import (
	"context"
	"sync"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// memoryResult is the api's resident memory over a run.
type memoryResult struct {
	StartMiB float64 `json:"start_mib"`
	PeakMiB  float64 `json:"peak_mib"`
	EndMiB   float64 `json:"end_mib"`
	Samples  int     `json:"samples"`
}

// rssSampler reads a process's VmRSS every second until its context ends.
type rssSampler struct {
	mu   sync.Mutex
	done chan struct{}
	res  memoryResult
}

func sampleRSS(ctx context.Context, pid int) *rssSampler {
	s := &rssSampler{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			if mib, err := rssMiB(pid); err == nil {
				s.record(mib)
			}
			select {
			case <-ctx.Done():
				if mib, err := rssMiB(pid); err == nil {
					s.record(mib)
				}
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *rssSampler) record(mib float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.res.Samples == 0 {
		s.res.StartMiB = mib
	}
	s.res.Samples++
	s.res.PeakMiB = max(s.res.PeakMiB, mib)
	s.res.EndMiB = mib
}

// result waits for the last sample and returns what was seen.
func (s *rssSampler) result() *memoryResult {
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	res := s.res
	return &res
}

// rssMiB reads VmRSS of pid from /proc (Linux).
func rssMiB(pid int) (float64, error) {
	kib, _, err := testkit.MemStatus(pid)
	return float64(kib) / 1024, err
}
