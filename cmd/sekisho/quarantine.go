package main

import "errors"

// QuarantineCmd is owned by the quarantine work.
type QuarantineCmd struct{}

// Run implements the command.
func (QuarantineCmd) Run(g *Globals) error {
	return errors.New("quarantine: not available in this build yet")
}
