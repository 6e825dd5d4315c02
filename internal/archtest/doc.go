// Package archtest holds tests that keep sekisho's contract true of the
// source tree: analyzers report, the policy alone decides, the action step
// carries the verdict out, front ends translate. It has no code.
package archtest
