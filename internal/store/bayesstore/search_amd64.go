package bayesstore

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// hasSearchLines: searchLines (AVX2) can be used.
var hasSearchLines = cpu.X86.HasAVX2

// searchLines searches the windows of the first n (≤ getBatch) keys of
// ks (xored with mix) at at, and the lines after them up to end, writing
// the counts of those it settles to o (search_amd64.s); the bits of the
// others are set in its result.
//
//go:noescape
func searchLines(ks *uint64, n int, mix uint64, at *[getBatch]*line, o *Counts, end uintptr) uint32

// prefetchHomes sets at[j] to the home line of ks[j]^mix for j < n
// (≤ getBatch) and prefetches it and the line after it (search_amd64.s;
// home's computation, lineSize bytes a line).
//
//go:noescape
func prefetchHomes(ks *uint64, n int, mix, nhome uint64, lines *line, at *[getBatch]*line)

// The layouts searchLines and prefetchHomes take: equal sizes and
// offsets (each pair of arrays has a negative length otherwise).
var (
	_ [lineSize - 64]struct{}
	_ [64 - lineSize]struct{}
	_ [unsafe.Sizeof(line{}) - 64]struct{}
	_ [64 - unsafe.Sizeof(line{})]struct{}
	_ [unsafe.Offsetof(slot{}.spam) - 8]struct{}
	_ [8 - unsafe.Offsetof(slot{}.spam)]struct{}
	_ [unsafe.Offsetof(slot{}.ham) - 10]struct{}
	_ [10 - unsafe.Offsetof(slot{}.ham)]struct{}
	_ [unsafe.Offsetof(slot{}.weight) - 12]struct{}
	_ [12 - unsafe.Offsetof(slot{}.weight)]struct{}
	_ [unsafe.Sizeof(Counts{}) - 12]struct{}
	_ [12 - unsafe.Sizeof(Counts{})]struct{}
	_ [unsafe.Offsetof(Counts{}.Ham) - 4]struct{}
	_ [4 - unsafe.Offsetof(Counts{}.Ham)]struct{}
	_ [unsafe.Offsetof(Counts{}.Weight) - 8]struct{}
	_ [8 - unsafe.Offsetof(Counts{}.Weight)]struct{}
)
