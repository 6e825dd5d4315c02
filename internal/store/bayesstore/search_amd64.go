package bayesstore

import "golang.org/x/sys/cpu"

// hasSearchLines: searchLines (AVX2 and POPCNT) can be used.
var hasSearchLines = cpu.X86.HasAVX2 && cpu.X86.HasPOPCNT

// searchLines searches the windows of the first n (≤ getBatch) keys of
// ks (xored with mix) at at, writing the counts of those it settles to
// o (search_amd64.s); the bits of the others are set in its result.
//
//go:noescape
func searchLines(ks *uint64, n int, mix uint64, at *[getBatch]*line, o *Counts) uint32
