//go:build !amd64

package bayesstore

import "unsafe"

const hasSearchLines = false

func searchLines(ks *uint64, n int, mix uint64, at *[getBatch]*line, o *Counts, end uintptr) uint32 {
	panic("bayesstore: searchLines without AVX2")
}

// prefetchHomes sets at[j] to the home line of ks[j]^mix for j < n
// (≤ getBatch) and prefetches it and the line after it (where the machine
// has prefetch instructions: prefetchLines).
func prefetchHomes(ks *uint64, n int, mix, nhome uint64, lines *line, at *[getBatch]*line) {
	for j, k := range unsafe.Slice(ks, n) {
		at[j%getBatch] = (*line)(unsafe.Add(unsafe.Pointer(lines), uintptr(home(k^mix, nhome))*lineSize))
	}
	prefetchLines(at, n)
}
