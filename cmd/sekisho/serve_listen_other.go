//go:build !linux

package main

import "net"

// listenTCP is net.Listen (see serve_listen_linux.go).
func listenTCP(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }
