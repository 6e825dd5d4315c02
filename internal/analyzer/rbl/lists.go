package rbl

import (
	"net/netip"
	"strings"
)

// Kind is what a list is asked about.
type Kind int

// Kinds of list.
const (
	KindIP     Kind = iota // reversed IPv4 / nibble IPv6 of the client
	KindDomain             // registrable domains of links, sender, Reply-To, HELO
	KindEmail              // hashed e-mail addresses (Spamhaus HBL "_email")
	KindFile               // hashed attachment contents (HBL "_file")
	KindWallet             // hashed crypto-currency wallets (HBL "_cw")
)

// answer is what one returned address means for a list.
type answer struct {
	syms    []string
	refused bool // "blocked resolver / over quota / bad query": an error, never a hit
}

// List is one DNS list.
type List struct {
	Name   string // metrics and log name ("zen", "dbl", "hbl-email", custom name)
	Zone   string // queried zone
	Kind   Kind
	IPv6   bool // the list answers nibble-format IPv6 queries
	Decode func(a netip.Addr) answer
}

// refusedSpamhaus: Spamhaus answers 127.255.255.252 (typo in the zone),
// .254 (query through a public/open resolver) and .255 (excessive number
// of queries) instead of data; the whole 127.255.255.0/24 is treated so.
func refusedSpamhaus(b [4]byte) bool { return b[1] == 255 && b[2] == 255 }

// in127 reports whether a is in 127.0.0.0/8; anything else is a resolver
// that rewrites NXDOMAIN (or a broken list): an error, never a hit.
func in127(a netip.Addr) ([4]byte, bool) {
	if !a.Is4() {
		return [4]byte{}, false
	}
	b := a.As4()
	return b, b[0] == 127
}

func one(sym string) answer { return answer{syms: []string{sym}} }

var refused = answer{refused: true}

// zen decodes Spamhaus ZEN (SBL, CSS, XBL, DROP, PBL) return codes.
func zen(a netip.Addr) answer {
	b, ok := in127(a)
	if !ok || refusedSpamhaus(b) {
		return refused
	}
	if b[1] != 0 || b[2] != 0 {
		return answer{}
	}
	switch b[3] {
	case 2:
		return one(SymSpamhausSBL)
	case 3:
		return one(SymSpamhausCSS)
	case 4, 5, 6, 7:
		return one(SymSpamhausXBL)
	case 9:
		return one(SymSpamhausDROP)
	case 10, 11:
		return one(SymSpamhausPBL)
	}
	return answer{}
}

// dbl decodes Spamhaus DBL return codes (127.0.1.x); 127.0.1.255 means
// the query was an IP address, which DBL refuses.
func dbl(a netip.Addr) answer {
	b, ok := in127(a)
	if !ok || refusedSpamhaus(b) || (b[1] == 0 && b[2] == 1 && b[3] == 255) {
		return refused
	}
	if b[1] != 0 || b[2] != 1 {
		return answer{}
	}
	switch b[3] {
	case 2:
		return one(SymDBLSpam)
	case 4:
		return one(SymDBLPhish)
	case 5:
		return one(SymDBLMalware)
	case 6:
		return one(SymDBLBotnet)
	case 102:
		return one(SymDBLAbuseSpam)
	case 103:
		return one(SymDBLAbuseRedir)
	case 104:
		return one(SymDBLAbusePhish)
	case 105:
		return one(SymDBLAbuseMalware)
	case 106:
		return one(SymDBLAbuseBotnet)
	}
	return answer{}
}

// hbl decodes Spamhaus HBL return codes (127.0.3.x).
func hbl(a netip.Addr) answer {
	b, ok := in127(a)
	if !ok || refusedSpamhaus(b) {
		return refused
	}
	if b[1] != 0 || b[2] != 3 {
		return answer{}
	}
	switch b[3] {
	case 2:
		return one(SymHBLEmail)
	case 10:
		return one(SymHBLFileMal)
	case 15:
		return one(SymHBLFileSusp)
	case 20:
		return one(SymHBLCryptoWlt)
	}
	return answer{}
}

// bitmask decodes lists that answer 127.0.0.<bits> (SURBL multi, URIBL
// multi); 127.0.0.1 is their "query refused / resolver blocked" answer.
func bitmask(bits map[byte]string) func(netip.Addr) answer {
	return func(a netip.Addr) answer {
		b, ok := in127(a)
		if !ok || (b[1] == 0 && b[2] == 0 && b[3] == 1) {
			return refused
		}
		if b[1] != 0 || b[2] != 0 {
			return answer{}
		}
		var out answer
		for bit := 1; bit < 256; bit <<= 1 {
			if b[3]&byte(bit) != 0 {
				if s, ok := bits[byte(bit)]; ok {
					out.syms = append(out.syms, s)
				}
			}
		}
		return out
	}
}

// codes decodes lists that answer fixed 127.0.0.x codes.
func codes(m map[byte]string) func(netip.Addr) answer {
	return func(a netip.Addr) answer {
		b, ok := in127(a)
		if !ok {
			return refused
		}
		if b[1] != 0 || b[2] != 0 {
			return answer{}
		}
		if s, ok := m[b[3]]; ok {
			return one(s)
		}
		return answer{}
	}
}

// dnswl decodes DNSWL answers 127.0.<category>.<trust 0-3>;
// 127.0.0.255 means the resolver is blocked (over the free quota).
func dnswl(a netip.Addr) answer {
	b, ok := in127(a)
	if !ok || (b[1] == 0 && b[2] == 0 && b[3] == 255) {
		return refused
	}
	if b[1] != 0 {
		return answer{}
	}
	switch b[3] {
	case 0:
		return one(SymDNSWLNone)
	case 1:
		return one(SymDNSWLLow)
	case 2:
		return one(SymDNSWLMed)
	case 3:
		return one(SymDNSWLHigh)
	}
	return answer{}
}

// custom decodes an administrator's list.
func custom(sym string, hits, ref []netip.Prefix) func(netip.Addr) answer {
	if len(ref) == 0 {
		ref = []netip.Prefix{netip.MustParsePrefix("127.255.255.0/24")}
	}
	if len(hits) == 0 {
		hits = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	}
	return func(a netip.Addr) answer {
		for _, p := range ref {
			if p.Contains(a) {
				return refused
			}
		}
		for _, p := range hits {
			if p.Contains(a) {
				return one(sym)
			}
		}
		if _, ok := in127(a); !ok {
			return refused
		}
		return answer{}
	}
}

// Builtin returns the built-in list name with the DQS key (may be "").
// HBL expands to three lists (e-mail addresses, files, wallets).
func Builtin(name, dqsKey string) []List {
	dq := func(list, public string) string {
		if dqsKey != "" {
			return dqsKey + "." + list + ".dq.spamhaus.net"
		}
		return public
	}
	switch name {
	case "zen":
		return []List{{Name: name, Zone: dq("zen", "zen.spamhaus.org"), Kind: KindIP, IPv6: true, Decode: zen}}
	case "barracuda":
		return []List{{Name: name, Zone: "b.barracudacentral.org", Kind: KindIP, Decode: codes(map[byte]string{2: SymBarracuda})}}
	case "spamcop":
		return []List{{Name: name, Zone: "bl.spamcop.net", Kind: KindIP, Decode: codes(map[byte]string{2: SymSpamCop})}}
	case "mailspike":
		return []List{{Name: name, Zone: "bl.mailspike.net", Kind: KindIP,
			Decode: codes(map[byte]string{2: SymMailspikeBL, 10: SymMailspikeW, 11: SymMailspikeVB, 12: SymMailspikeB})}}
	case "uceprotect1":
		return []List{{Name: name, Zone: "dnsbl-1.uceprotect.net", Kind: KindIP, Decode: codes(map[byte]string{2: SymUCEProtect1})}}
	case "dnswl":
		return []List{{Name: name, Zone: "list.dnswl.org", Kind: KindIP, IPv6: true, Decode: dnswl}}
	case "dbl":
		return []List{{Name: name, Zone: dq("dbl", "dbl.spamhaus.org"), Kind: KindDomain, Decode: dbl}}
	case "surbl":
		return []List{{Name: name, Zone: "multi.surbl.org", Kind: KindDomain,
			Decode: bitmask(map[byte]string{8: SymSURBLPhish, 16: SymSURBLMalware, 64: SymSURBLAbuse, 128: SymSURBLCracked})}}
	case "uribl":
		return []List{{Name: name, Zone: "multi.uribl.com", Kind: KindDomain,
			Decode: bitmask(map[byte]string{2: SymURIBLBlack, 4: SymURIBLGrey, 8: SymURIBLRed})}}
	case "hbl":
		z := dq("hbl", "")
		if z == "" {
			return nil
		}
		return []List{
			{Name: "hbl-email", Zone: "_email." + z, Kind: KindEmail, Decode: hbl},
			{Name: "hbl-file", Zone: "_file." + z, Kind: KindFile, Decode: hbl},
			{Name: "hbl-cw", Zone: "_cw." + z, Kind: KindWallet, Decode: hbl},
		}
	}
	return nil
}

// reverseIP gives the query label of an address: "4.3.2.1" for 1.2.3.4,
// 32 reversed nibbles for IPv6.
func reverseIP(ip netip.Addr) string {
	ip = ip.Unmap()
	if ip.Is4() {
		b := ip.As4()
		return itoa(b[3]) + "." + itoa(b[2]) + "." + itoa(b[1]) + "." + itoa(b[0])
	}
	b := ip.As16()
	const hx = "0123456789abcdef"
	var sb strings.Builder
	for i := 15; i >= 0; i-- {
		sb.WriteByte(hx[b[i]&0xf])
		sb.WriteByte('.')
		sb.WriteByte(hx[b[i]>>4])
		if i > 0 {
			sb.WriteByte('.')
		}
	}
	return sb.String()
}

func itoa(b byte) string {
	if b < 10 {
		return string('0' + b)
	}
	if b < 100 {
		return string([]byte{'0' + b/10, '0' + b%10})
	}
	return string([]byte{'0' + b/100, '0' + b/10%10, '0' + b%10})
}
