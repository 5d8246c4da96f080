//go:build !unix

package geo

// offheap returns n zeroed bytes; without an anonymous mapping they come
// from the Go heap.
func offheap(n int) []byte { return make([]byte, n) }
