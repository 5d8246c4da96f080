package redisclient

import (
	"testing"
	"time"
)

// TestConnectionsAreSizedToTheWork guards the per-connection sizes: with
// rueidis' defaults each client's connections held ~5 MB of buffers and
// rings, which at GOMEMLIMIT made the collector run half again as often.
func TestConnectionsAreSizedToTheWork(t *testing.T) {
	opt, err := clientOptions("redis://127.0.0.1:6379", time.Second, 16<<20)
	if err != nil {
		t.Fatal(err)
	}
	conns := 1 << opt.PipelineMultiplex
	perConn := opt.ReadBufferEachConn + opt.WriteBufferEachConn
	if perConn == 0 || conns*perConn > 512<<10 {
		t.Errorf("%d connections × %d B of buffers: want set, and at most 512 KiB in all", conns, perConn)
	}
	if opt.RingScaleEachConn == 0 || opt.RingScaleEachConn > 8 {
		t.Errorf("RingScaleEachConn = %d, want 1..8 (rueidis' default 10 is 1 024 slots a connection)", opt.RingScaleEachConn)
	}
}
