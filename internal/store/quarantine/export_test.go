package quarantine

// For the external tests: the JSON columns as written and as they were.
var (
	EncodeColumns = encodeColumns
	OldColumns    = oldColumns
)
