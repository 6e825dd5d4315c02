package quarantine

import "time"

// For the external tests: the JSON columns as written and as they were.
var (
	EncodeColumns = encodeColumns
	OldColumns    = oldColumns
)

// WALFrames returns the frames in the SQLite WAL (walState); checkpoints
// of the writer are off while NoCheckpoints' undo has not run.
func (s *Store) WALFrames() int {
	mx, _, _ := walState(s.dbPath + "-shm")
	return mx
}

// NoCheckpoints keeps the writer from checkpointing (the WAL's frames
// then count what was written); the returned func undoes it.
func NoCheckpoints() func() {
	c, r := walCheckpointPages, walRestartPages
	walCheckpointPages, walRestartPages = 1<<30, 1<<30
	return func() { walCheckpointPages, walRestartPages = c, r }
}

// SetBatchWindow sets the history writer's batch window (before Open);
// the returned func undoes it (after Close).
func SetBatchWindow(d time.Duration) func() {
	w := batchWindow
	batchWindow = d
	return func() { batchWindow = w }
}
