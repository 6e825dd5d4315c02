package main

import "errors"

// TrainCmd is owned by the train work.
type TrainCmd struct{}

// Run implements the command.
func (TrainCmd) Run(g *Globals) error {
	return errors.New("train: not available in this build yet")
}
