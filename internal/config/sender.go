package config

import (
	"fmt"
	"strings"
)

// Sender holds the [sender] section: impersonation, lookalike domains,
// BEC, first contact and hijacked threads.
type Sender struct {
	// Enabled turns the feature on. Default true.
	Enabled bool `toml:"enabled"`
	// ProtectedDomains are partners' and other domains to protect from
	// lookalikes and impersonation, beside general.domains. Default empty.
	ProtectedDomains []string `toml:"protected_domains"`
	// ProtectedPeople are executives and staff whose names mail from
	// outside must not carry: [[sender.protected_people]] tables.
	ProtectedPeople []ProtectedPerson `toml:"protected_people"`
	// Brands checks display names and domains against the built-in list
	// of often-impersonated brands. Default true.
	Brands bool `toml:"brands"`
	// Freemail lists extra free webmail domains (the built-in list is embedded).
	Freemail []string `toml:"freemail"`
	// Disposable lists extra disposable-address domains.
	Disposable []string `toml:"disposable"`
	// FirstContact reports senders who never wrote to the recipient
	// before (needs history: learned from outbound mail, delivered mail
	// and 'sekisho learn --ham'). Default true.
	FirstContact bool `toml:"first_contact"`
	// LearnContacts records sender/recipient pairs and message ids from
	// outbound mail and from inbound mail without sender warnings, when
	// sekisho runs in the mail flow (not for 'scan' or 'eval'). Default true.
	LearnContacts bool `toml:"learn_contacts"`
	// ContactsRetentionDays forgets pairs and message ids not seen for
	// this long. Default 730.
	ContactsRetentionDays int `toml:"contacts_retention_days"`
	// MinHistory is how many messages a recipient must have in the
	// history before first contact is reported for them. Default 20.
	MinHistory int `toml:"min_history"`
}

// ProtectedPerson is one name to protect.
type ProtectedPerson struct {
	// Name as usually written, e.g. "山田 太郎".
	Name string `toml:"name"`
	// Aliases: other spellings, e.g. "Taro Yamada", "Yamada Taro", "やまだ たろう".
	Aliases []string `toml:"aliases"`
	// Addresses the person really uses (mail from them is not impersonation).
	Addresses []string `toml:"addresses"`
}

func defaultSender() Sender {
	return Sender{Enabled: true, Brands: true, FirstContact: true, LearnContacts: true, ContactsRetentionDays: 730, MinHistory: 20}
}

func init() {
	validators = append(validators, func(c *Config) error {
		s := &c.Sender
		for i, d := range s.ProtectedDomains {
			s.ProtectedDomains[i] = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
			if !strings.Contains(s.ProtectedDomains[i], ".") {
				return fmt.Errorf("config: sender.protected_domains: %q is not a domain", d)
			}
		}
		for i, p := range s.ProtectedPeople {
			if strings.TrimSpace(p.Name) == "" {
				return fmt.Errorf("config: sender.protected_people[%d]: name is empty", i)
			}
		}
		if s.ContactsRetentionDays < 0 {
			return fmt.Errorf("config: sender.contacts_retention_days must not be negative")
		}
		if s.MinHistory < 0 {
			return fmt.Errorf("config: sender.min_history must not be negative")
		}
		return nil
	})
}
