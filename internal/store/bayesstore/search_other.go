//go:build !amd64

package bayesstore

const hasSearchLines = false

func searchLines(ks *uint64, n int, mix uint64, at *[getBatch]*line, o *Counts) uint32 {
	panic("bayesstore: searchLines without AVX2")
}
