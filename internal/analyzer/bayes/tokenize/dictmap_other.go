//go:build !linux

package tokenize

// MapDictionary does nothing here (see dictmap_linux.go).
func MapDictionary(dir string) (int64, error) { return 0, nil }
