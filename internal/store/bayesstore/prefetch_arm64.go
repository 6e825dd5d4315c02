package bayesstore

// prefetchLines asks the CPU to bring the first n lines of at, and the
// line after each, into the cache (prefetch hints: they neither fault nor
// wait for the data, so the misses of a batch overlap with the search of
// the batch before).
//
//go:noescape
func prefetchLines(at *[getBatch]*line, n int)
