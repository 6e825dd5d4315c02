// Package e2e holds the end-to-end tests of the front ends against real
// peers: Debian's Postfix (smtpd_milters and smtpd_proxy_filter), swaks,
// rspamc and spamc, each started on loopback by the test, talking to the
// real sekisho binary built by the test. Without a peer the test skips,
// unless SEKISHO_REQUIRE_PEERS=1.
package e2e
