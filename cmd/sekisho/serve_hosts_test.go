package main

import (
	"testing"

	"github.com/sekisho/sekisho/internal/config"
)

// TestAllowedHosts: the names the HTTP front ends answer to come from
// general.hostname, the listen addresses, digest.base_url and [web]
// allowed_hosts.
func TestAllowedHosts(t *testing.T) {
	cfg := config.Default()
	cfg.General.Hostname = "mx1.corp.example"
	cfg.Serve.Console.Listen = "console.corp.example:11334"
	cfg.Digest.BaseURL = "https://quarantine.corp.example:8443/"
	cfg.Web.AllowedHosts = []string{"*.admin.example", "proxy.example"}
	h := allowedHosts(cfg)
	for host, want := range map[string]bool{
		"mx1.corp.example": true, "mx1": true, "console.corp.example:11334": true, "quarantine.corp.example": true,
		"a.admin.example": true, "proxy.example:443": true, "127.0.0.1:11334": true, "localhost": true,
		"evil.example": false, "corp.example": false, "proxy": false,
	} {
		if got := h.Allowed(host); got != want {
			t.Errorf("Allowed(%q) = %v, want %v", host, got, want)
		}
	}
}
