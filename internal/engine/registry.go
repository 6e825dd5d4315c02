package engine

import (
	"github.com/sekisho/sekisho/internal/analyzer/attach"
	"github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/analyzer/bayes"
	"github.com/sekisho/sekisho/internal/analyzer/content"
	"github.com/sekisho/sekisho/internal/analyzer/feed"
	"github.com/sekisho/sekisho/internal/analyzer/fuzzy"
	"github.com/sekisho/sekisho/internal/analyzer/header"
	"github.com/sekisho/sekisho/internal/analyzer/lure"
	"github.com/sekisho/sekisho/internal/analyzer/outbound"
	"github.com/sekisho/sekisho/internal/analyzer/rbl"
	"github.com/sekisho/sekisho/internal/analyzer/reputation"
	"github.com/sekisho/sekisho/internal/analyzer/sender"
	"github.com/sekisho/sekisho/internal/analyzer/url"
	"github.com/sekisho/sekisho/internal/observe"
)

// Registered lists every analyzer package compiled in: the one place to
// look for what sekisho checks.
func Registered() []Factory {
	return []Factory{
		header.New,       // header and MIME structure (HDR_, MIME_)
		auth.New,         // SPF, DKIM, DMARC, ARC, Received path (SPF_, DKIM_, DMARC_, ARC_, RCVD_)
		sender.New,       // impersonation, lookalikes, BEC, first contact, hijacked threads (FROM_, BEC_)
		url.New,          // links, QR codes, local block/allow lists (URL_, QR_)
		content.New,      // declarative content rules (RULE_)
		attach.New,       // attachments, archives, Office, PDF, ClamAV (ATT_, ARCHIVE_, OFFICE_, PDF_, AV_)
		bayes.New,        // statistical classifier (BAYES_); autolearns as an observer of the verdict
		outbound.Factory, // outbound abuse of authenticated accounts (OUTBOUND_); the policy holds
		rbl.New,          // DNS block and allow lists: client IP, link/sender domains, HBL hashes (RBL_, RWL_, URIBL_)
		feed.New,         // threat feeds: STIX/TAXII and list indicators (FEED_)
		reputation.New,   // learned reputation of senders, domains, networks, link domains (REP_)
		fuzzy.New,        // campaign fuzzy hashes: near-duplicates of known spam, bulk copies (FUZZY_)
		lure.New,         // today's lures: claimed authority/brand vs real origin, random and rented infrastructure, mail shape (IMP_, FROM_, URL_, HDR_, MIME_)
	}
}

// RegisteredObservers lists what learns from the final verdict besides
// the analyzers that observe it themselves (the Bayes autolearner):
// metrics, history and DMARC report rows are added by serve with
// Engine.Observe.
func RegisteredObservers() []ObserverFactory {
	return []ObserverFactory{
		observe.NewContacts, // correspondence history for first contact and hijacked threads (read by sender)
	}
}
