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

// The layouts searchLines and prefetchHomes take: the index is 0 exactly
// when every size and offset is the one they take (a constant index out
// of range does not compile).
var _ = [1]struct{}{}[lineSize^64|unsafe.Sizeof(line{})^64|
	unsafe.Offsetof(slot{}.spam)^8|unsafe.Offsetof(slot{}.ham)^10|unsafe.Offsetof(slot{}.weight)^12|
	unsafe.Sizeof(Counts{})^12|unsafe.Offsetof(Counts{}.Ham)^4|unsafe.Offsetof(Counts{}.Weight)^8]
