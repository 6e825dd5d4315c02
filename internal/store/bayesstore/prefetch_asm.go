//go:build amd64 || arm64

package bayesstore

// hasPrefetch: prefetchHomes issues prefetch instructions (getMany then
// prefetches a batch ahead instead of loading each batch's lines itself;
// on amd64 in assembly, search_amd64.s, on arm64 through prefetchLines).
const hasPrefetch = true
