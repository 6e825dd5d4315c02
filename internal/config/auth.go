package config

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Auth holds the [auth] section: SPF, DKIM, DMARC, ARC, the
// Authentication-Results header and the Received path.
type Auth struct {
	// Enabled turns the feature on. Default true.
	Enabled bool `toml:"enabled"`
	// SPF checks the envelope sender (RFC 7208). Default true.
	SPF bool `toml:"spf"`
	// DKIM verifies DKIM signatures (RFC 6376). Default true.
	DKIM bool `toml:"dkim"`
	// DMARC evaluates the From domain's policy (RFC 7489). Default true.
	DMARC bool `toml:"dmarc"`
	// ARC verifies Authenticated Received Chains (RFC 8617). Default true.
	ARC bool `toml:"arc"`
	// AddHeader asks front ends to add an Authentication-Results header
	// (RFC 8601). Default true.
	AddHeader bool `toml:"add_header"`
	// AuthServID names this host in Authentication-Results. Default: general.hostname.
	AuthServID string `toml:"authserv_id"`
	// TrustedRelays are the organisation's own relays: host names (a
	// leading "." matches subdomains), IP addresses or networks in CIDR.
	// When scanning a stored file, the client of the first Received field
	// not written by (or received from) one of them is taken as the SMTP
	// client for SPF. Default empty.
	TrustedRelays []string `toml:"trusted_relays"`
	// TrustedAuthServIDs name the organisation's own hosts whose
	// Authentication-Results sekisho believes for what it cannot check
	// itself: the SPF result of a stored message or of a scan behind
	// another MTA (no SMTP client known). Those hosts must remove such
	// fields arriving from outside (RFC 8601 §5). Default empty.
	TrustedAuthServIDs []string `toml:"trusted_authserv_ids"`
	// DNSServers are "host:port" resolvers. Default: /etc/resolv.conf.
	DNSServers []string `toml:"dns_servers"`
	// DNSTimeout per query. Default "2s".
	DNSTimeout Duration `toml:"dns_timeout"`
	// DNSCacheEntries bounds the resolver cache; 0 disables it. Default 10000.
	DNSCacheEntries int `toml:"dns_cache_entries"`
	// MaxSignatures is how many DKIM signatures are verified per message. Default 5.
	MaxSignatures int `toml:"max_signatures"`
	// ARCTrustedSealers are forwarders (mailing lists, your cloud mail
	// service) whose ARC seals are trusted to override a DMARC failure
	// caused by forwarding (RFC 8617 §7.2.1); a domain matches its
	// subdomains. Default empty.
	ARCTrustedSealers []string `toml:"arc_trusted_sealers"`
	// DMARCReports records, for every message whose From domain publishes
	// rua= report addresses, what DMARC aggregate reports (RFC 7489 §7.2)
	// need, in dmarc-reports.db under general.data_dir; `sekisho
	// dmarc-report` (and serve, with dmarc_report_relay) sends them.
	// Default false.
	DMARCReports bool `toml:"dmarc_reports"`
	// DMARCReportOrg is the org_name of the reports. Default general.hostname.
	DMARCReportOrg string `toml:"dmarc_report_org"`
	// DMARCReportEmail is the reports' contact address and From.
	// Default "dmarc-noreply@" + general.hostname.
	DMARCReportEmail string `toml:"dmarc_report_email"`
	// DMARCReportRelay is the host:port of the MTA that sends the report
	// mail; with it, `sekisho serve` sends the previous day's reports once
	// a day (UTC). Default "" (only the command sends).
	DMARCReportRelay string `toml:"dmarc_report_relay"`
	// TempfailOnDNSError asks for "try again later" when DNS fails while
	// checking the From domain's DMARC. Default false (the message passes
	// with temperror results).
	TempfailOnDNSError bool `toml:"tempfail_on_dns_error"`
}

func defaultAuth() Auth {
	return Auth{Enabled: true, SPF: true, DKIM: true, DMARC: true, ARC: true, AddHeader: true,
		DNSTimeout: Duration{2 * time.Second}, DNSCacheEntries: 10000, MaxSignatures: 5}
}

// TrustedRelayHostsAndNets splits TrustedRelays into host names and networks.
func (a Auth) TrustedRelayHostsAndNets() (hosts []string, nets []netip.Prefix, err error) {
	for _, s := range a.TrustedRelays {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, e := netip.ParsePrefix(s); e == nil {
			nets = append(nets, p.Masked())
			continue
		}
		if ip, e := netip.ParseAddr(s); e == nil {
			nets = append(nets, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
			continue
		}
		if strings.ContainsAny(s, " /:@") {
			return nil, nil, fmt.Errorf("config: auth.trusted_relays: %q is not a host name, address or network", s)
		}
		hosts = append(hosts, strings.ToLower(strings.TrimSuffix(s, ".")))
	}
	return hosts, nets, nil
}

func init() {
	validators = append(validators, func(c *Config) error {
		a := c.Auth
		if _, _, err := a.TrustedRelayHostsAndNets(); err != nil {
			return err
		}
		if a.DNSTimeout.Duration < 0 || a.DNSTimeout.Duration > time.Minute {
			return fmt.Errorf("config: auth.dns_timeout %s: want 0 to 1m", a.DNSTimeout.Duration)
		}
		if a.MaxSignatures < 0 || a.MaxSignatures > 50 {
			return fmt.Errorf("config: auth.max_signatures %d: want 0 to 50", a.MaxSignatures)
		}
		if a.DNSCacheEntries < 0 {
			return fmt.Errorf("config: auth.dns_cache_entries must not be negative")
		}
		return nil
	})
}
