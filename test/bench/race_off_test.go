//go:build !race

package bench

// raceDetector is whether the race detector is built in (race_on_test.go).
const raceDetector = false
