//go:build race

package bench

// raceDetector is whether the race detector is built in: it changes what
// allocates (sync.Pool drops items at random), so allocation counts mean
// nothing under it.
const raceDetector = true
