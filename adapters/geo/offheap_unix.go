//go:build unix

package geo

import "syscall"

// offheap returns n zeroed bytes of an anonymous private mapping: memory
// the collector does not scan and GOMEMLIMIT does not count, paged in
// only as it is written. It is never unmapped (the table lives as long as
// the process). Where the system refuses, the bytes come from the heap.
func offheap(n int) []byte {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]byte, n)
	}
	return b
}
