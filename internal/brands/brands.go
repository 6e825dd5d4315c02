// Package brands knows the often-impersonated brands and organisations
// (global and Japanese) with their real domains, and finds lookalike
// domains: Unicode confusable skeletons, punycode/IDN and mixed scripts,
// edit distance and typo patterns, added words, cousin domains on other TLDs.
// It is shared by the sender (impersonation) and URL analyzers.
package brands

// Brand is an often-impersonated organisation.
type Brand struct {
	Name     string   // canonical name, e.g. "Microsoft"
	Names    []string // names and spellings that claim it in display names and text: "Office 365", "マイクロソフト"
	Domains  []string // its real registrable domains: "microsoft.com", "office.com", "outlook.com"
	Keywords []string // lower-case tokens that name it inside a domain: "microsoft", "office365"
	Kind     string   // "tech", "bank", "card", "broker", "shipping", "retail", "telecom", "hosting", "webmail", "government"
}

// All returns the built-in brand list.
func All() []Brand { return builtin }

// ByDomain returns the brand owning a (registrable) domain.
func ByDomain(domain string) (Brand, bool) { return Brand{}, false }

// Claimed returns the brands a display name, subject or text names.
func Claimed(text string) []Brand { return nil }

// Lookalike is a domain that imitates a brand's domain.
type Lookalike struct {
	Brand  Brand
	Target string // the real domain imitated
	Kind   string // "confusable", "idn", "mixed_script", "typo", "added_word", "cousin_tld"
}

// MatchLookalike reports whether domain imitates a protected brand or one
// of the extra protected domains (the organisation's own and partners').
func MatchLookalike(domain string, extra []string) (Lookalike, bool) { return Lookalike{}, false }

var builtin = []Brand{}
